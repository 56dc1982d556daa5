import JSON
import TaskEngine

/// `users.upsert`: creates a user or replaces its name, avatar, email and role.
enum UpsertUser {
    static let name = "users.upsert"

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let input = UserInput(
            userID: try reader.required("user_id"),
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
