import JSON
import TaskEngine

/// `tasks.attachments.upload`: stores base64 bytes as an attachment of a task.
enum UploadAttachment {
    /// Not idempotent: every call stores another attachment.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "tasks.attachments.upload", rateLimit: "attach", readOnly: false, destructive: false, idempotent: false
        ) {
            try await handle($0, $1, engine: engine)
        }
    }

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
