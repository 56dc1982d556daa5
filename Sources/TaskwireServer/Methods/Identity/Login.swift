import JSON
import TaskEngine

/// `auth.login`: binds the connection to the user of a bearer token; throttled per connection.
enum Login {
    /// Open before login, and limited by the connection's login throttle instead of a rate limit. Neither
    /// read-only (it binds the connection) nor idempotent (every failed attempt counts towards the throttle).
    static func declaration(engine: Engine, clock: any TimeSource) -> MethodDeclaration {
        MethodDeclaration(
            "auth.login", rateLimit: nil, opensBeforeLogin: true, readOnly: false, destructive: false,
            idempotent: false
        ) { try await handle($0, $1, engine: engine, clock: clock) }
    }

    static func handle(
        _ params: JSONValue?, _ context: RequestContext, engine: Engine, clock: any TimeSource
    ) async throws -> Reply {
        var reader = try ParamReader(params)
        let token: String = try reader.required("token")
        try reader.finish()
        let now = Double(clock.now().microseconds) / 1_000_000
        if case .locked(let retry)? = context.identity?.beginLoginAttempt(now: now) {
            throw AuthGate.rateLimited(operation: "login", retryAfter: retry)
        }
        // The attempt counts as failed already; `bind` forgets it when the token is good.
        let login = try await engine.login(token: token)
        context.identity?.bind(
            ConnectionIdentity.Binding(
                user: login.user.userID, tokenID: login.token.tokenID, via: "token"))
        return Reply(
            [
                "user_id": login.user.userID.json,
                "name": .string(login.user.name),
                "role": .string(login.user.role.rawValue),
                "authenticated_via": "token",
                "token_id": .string(login.token.tokenID.description),
                "expires_at": login.token.expiresAt.map { .string($0.rfc3339) } ?? .null,
            ])
    }
}
