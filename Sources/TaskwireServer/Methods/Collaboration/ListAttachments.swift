import JSON
import TaskEngine

/// `tasks.attachments.list`: the metadata of every attachment of a task, oldest first.
enum ListAttachments {
    /// Read-only; counts against the `read` limit.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "tasks.attachments.list", rateLimit: "read", readOnly: true, destructive: false, idempotent: true
        ) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.taskID()
        try reader.finish()
        return Reply(try await engine.attachments(id, for: context.caller).json)
    }
}
