import JSON
import TaskEngine

/// `tasks.attachments.upload`: stores base64 bytes as an attachment of a task.
enum UploadAttachment {
    static let name = "tasks.attachments.upload"

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let input = NewAttachment(
            taskID: try reader.taskID(),
            filename: try reader.required("filename"),
            contentBase64: try reader.required("content_base64"),
            mimeType: try reader.optional("mime_type")
        )
        try reader.finish()
        let committed = try await engine.uploadAttachment(input, by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}
