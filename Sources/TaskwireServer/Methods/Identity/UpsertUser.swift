import JSON
import TaskEngine

/// `users.upsert`: creates a user or replaces its name, avatar, email and role.
enum UpsertUser {
    /// Idempotent: unchanged fields are not changes, so the same upsert again records nothing.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("users.upsert", rateLimit: "admin", readOnly: false, destructive: false, idempotent: true) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let input = UserInput(
            userID: try reader.userID("user_id"),
            name: try reader.required("name"),
            avatarURL: try reader.optional("avatar_url"),
            email: try reader.optional("email"),
            role: try reader.required("role")
        )
        try reader.finish()
        let committed = try await engine.upsertUser(input, by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}
