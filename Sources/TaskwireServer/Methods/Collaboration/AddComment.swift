import JSON
import TaskEngine

/// `tasks.comments.add`: adds a comment, with optional mentions and attachment ids, to a task.
enum AddComment {
    /// Not idempotent: every call adds another comment.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "tasks.comments.add", rateLimit: "comment", readOnly: false, destructive: false, idempotent: false
        ) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        var input = NewComment(taskID: try reader.taskID(), text: try reader.required("text"))
        input.mentions = try reader.optional("mentions", as: [UserID].self) ?? []
        input.attachments = try reader.optional("attachments", as: [String].self) ?? []
        try reader.finish()
        let committed = try await engine.addComment(input, by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}
