import JSON
import TaskEngine

/// `auth.tokens.revoke`: stops a token at once, also on connections logged in with it.
enum RevokeToken {
    /// Destructive: a revoked token never works again; revoking it again changes nothing.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "auth.tokens.revoke", rateLimit: "admin", readOnly: false, destructive: true, idempotent: true
        ) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let tokenID = try reader.tokenID()
        try reader.finish()
        let committed = try await engine.revokeToken(tokenID, by: context.caller)
        let revokedAt = committed.value.revokedAt.map { JSONValue.string($0.rfc3339) } ?? .null
        return Reply(
            ["token_id": .string(tokenID.description), "revoked": true, "revoked_at": revokedAt],
            after: committed.ticket)
    }
}
