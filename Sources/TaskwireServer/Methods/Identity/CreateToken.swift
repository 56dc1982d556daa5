import JSON
import TaskEngine

/// `auth.tokens.create`: issues a bearer token for a user and returns it once (admins only).
enum CreateToken {
    /// Not idempotent: every call issues another token.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "auth.tokens.create", rateLimit: "admin", readOnly: false, destructive: false, idempotent: false
        ) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let userID = try reader.userID("user_id")
        let label: String? = try reader.optional("label")
        let expiresAt = try reader.time("expires_at")
        try reader.finish()
        let committed = try await engine.createToken(
            for: userID, label: label, expiresAt: expiresAt, by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}
