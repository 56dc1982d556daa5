import JSON
import TaskEngine

/// `auth.tokens.revoke`: stops a token at once, also on connections logged in with it.
enum RevokeToken {
    static let name = "auth.tokens.revoke"

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
