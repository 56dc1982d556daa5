import JSON
import TaskEngine

/// `tasks.create`: creates a task and returns it whole; `idempotency_key` makes retries safe.
enum CreateTask {
    /// Not idempotent: without an `idempotency_key` every call creates another task.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("tasks.create", rateLimit: "create", readOnly: false, destructive: false, idempotent: false) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        var input = NewTask(title: try reader.required("title"))
        input.description = try reader.optional("description")
        input.assignee = try reader.optional("assignee")
        input.dueDate = try reader.time("due_date", error: "invalid_due_date")
        input.priority = try reader.optional("priority")
        input.tags = try reader.optional("tags", as: [String].self) ?? []
        input.context = try reader.optional("context")
        input.idempotencyKey = try reader.optional("idempotency_key")
        try reader.finish()
        let committed = try await engine.create(input, by: context.caller)
        return Reply(committed.value.json(directory: engine.directory), after: committed.ticket)
    }
}
