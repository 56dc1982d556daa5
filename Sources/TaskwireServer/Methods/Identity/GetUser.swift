import JSON
import TaskEngine

/// `users.get`: one user of the directory; `system` always exists.
enum GetUser {
    static let name = "users.get"

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let userID: String = try reader.required("user_id")
        try reader.finish()
        return Reply(try await engine.user(userID, for: context.caller).json)
    }
}
