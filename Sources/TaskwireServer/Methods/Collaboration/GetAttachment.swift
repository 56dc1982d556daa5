import JSON
import TaskEngine

/// `tasks.attachments.get`: an attachment's metadata and its bytes in `content_base64`.
enum GetAttachment {
    static let name = "tasks.attachments.get"

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.attachmentID()
        try reader.finish()
        return Reply(try await engine.attachmentContent(id, for: context.caller).json)
    }
}
