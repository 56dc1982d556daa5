import JSON
import TaskEngine

/// `auth.whoami`: who this connection is, how it proved it, and whom it acts for with `on_behalf_of`.
enum WhoAmI {
    /// Read-only; counts against the `read` limit.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("auth.whoami", rateLimit: "read", readOnly: true, destructive: false, idempotent: true) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        try ParamReader(params).finish()
        let ownID = context.agent ?? context.user
        let user = try await engine.user(ownID)
        return Reply(
            [
                "user_id": user.userID.json,
                "name": .string(user.name),
                "role": .string(user.role.rawValue),
                "authenticated_via": context.authenticatedVia.map(JSONValue.string) ?? .null,
                "token_id": context.tokenID.map { .string($0.description) } ?? .null,
                "acting_for": context.agent == nil ? .null : context.user.json,
            ])
    }
}
