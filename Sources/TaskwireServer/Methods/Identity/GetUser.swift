import JSON
import TaskEngine

/// `users.get`: one user of the directory; `system` always exists.
enum GetUser {
    /// Read-only; counts against the `read` limit.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("users.get", rateLimit: "read", readOnly: true, destructive: false, idempotent: true) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let userID = try reader.userID("user_id")
        try reader.finish()
        return Reply(try await engine.user(userID, for: context.caller).json)
    }
}
