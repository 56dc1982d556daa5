import JSON
import TaskEngine

/// `tasks.attachments.delete`: removes an attachment; its bytes go when nothing else uses them.
enum DeleteAttachment {
    /// Destructive: the attachment (and bytes nothing else uses) are gone for good; deleting it again is a 404.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "tasks.attachments.delete", rateLimit: "attach", readOnly: false, destructive: true, idempotent: true
        ) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.attachmentID()
        try reader.finish()
        let committed = try await engine.deleteAttachment(id, by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}
