import JSON
import TaskEngine

/// `auth.tokens.list`: tokens with their status, never their text or hash.
enum ListTokens {
    /// Read-only; counts against the `read` limit.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("auth.tokens.list", rateLimit: "read", readOnly: true, destructive: false, idempotent: true) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let userID = try reader.optional("user_id", as: UserID.self)
        try reader.finish()
        return Reply(try await engine.tokens(of: userID, for: context.caller).json)
    }
}
