import JSON
import TaskEngine

/// `tasks.attachments.delete`: removes an attachment; its bytes go when nothing else uses them.
enum DeleteAttachment {
    static let name = "tasks.attachments.delete"

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.attachmentID()
        try reader.finish()
        let committed = try await engine.deleteAttachment(id, by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}
