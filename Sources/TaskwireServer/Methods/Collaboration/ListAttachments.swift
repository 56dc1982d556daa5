import JSON
import TaskEngine

/// `tasks.attachments.list`: the metadata of every attachment of a task, oldest first.
enum ListAttachments {
    static let name = "tasks.attachments.list"

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.taskID()
        try reader.finish()
        return Reply(try await engine.attachments(id, for: context.caller).json)
    }
}
