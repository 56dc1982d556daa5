import JSON
import TaskEngine

/// `auth.login`: binds the connection to the user of a bearer token; throttled per connection.
enum Login {
    static let name = "auth.login"

    static func handle(
        _ params: JSONValue?, _ context: RequestContext, engine: Engine, clock: any TimeSource
    ) async throws -> Reply {
        var reader = try ParamReader(params)
        let token: String = try reader.required("token")
        try reader.finish()
        let now = Double(clock.now().microseconds) / 1_000_000
        if let retry = context.identity?.loginRetryAfter(now: now) {
            throw AuthGate.rateLimited(operation: "login", retryAfter: retry)
        }
        let login: TokenLogin
        do {
            login = try await engine.login(token: token)
        } catch {
            context.identity?.recordFailedLogin(now: now)
            throw error
        }
        context.identity?.bind(
            ConnectionIdentity.Binding(
                userID: login.user.userID, tokenID: login.token.tokenID.description, via: "token"))
        return Reply(
            [
                "user_id": .string(login.user.userID),
                "name": .string(login.user.name),
                "role": .string(login.user.role.rawValue),
                "authenticated_via": "token",
                "token_id": .string(login.token.tokenID.description),
                "expires_at": login.token.expiresAt.map { .string($0.rfc3339) } ?? .null,
            ])
    }
}
