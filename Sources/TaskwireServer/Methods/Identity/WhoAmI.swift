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
        let ownID = context.agentID ?? context.userID
        let user = try await engine.user(ownID)
        return Reply(
            [
                "user_id": .string(user.userID),
                "name": .string(user.name),
                "role": .string(user.role.rawValue),
                "authenticated_via": context.authenticatedVia.map(JSONValue.string) ?? .null,
                "token_id": context.tokenID.map(JSONValue.string) ?? .null,
                "acting_for": context.agentID == nil ? .null : .string(context.userID),
            ])
    }
}
