import JSON
import TaskEngine

/// `tasks.attachments.get`: an attachment's metadata and its bytes in `content_base64`.
enum GetAttachment {
    /// Read-only; counts against the `read` limit.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "tasks.attachments.get", rateLimit: "read", readOnly: true, destructive: false, idempotent: true
        ) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.attachmentID()
        try reader.finish()
        return Reply(try await engine.attachmentContent(id, for: context.caller).json)
    }
}
