import JSON
import TaskEngine

/// `tasks.create_from_template`: one task from a template, its placeholders filled from `variables`.
enum CreateTaskFromTemplate {
    /// Not idempotent: every call creates another task. Counts against `create`, like `tasks.create`.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "tasks.create_from_template", rateLimit: "create", readOnly: false, destructive: false, idempotent: false
        ) { try await handle($0, $1, engine: engine) }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        var input = TaskFromTemplate(templateID: try reader.templateID())
        input.variables = try reader.optional("variables") ?? [:]
        input.assignee = try reader.optional("assignee")
        input.dueDate = try reader.time("due_date", error: "invalid_due_date")
        input.priority = try reader.optional("priority")
        input.tags = try reader.optional("tags", as: [String].self)
        input.context = try reader.optional("context")
        try reader.finish()
        let committed = try await engine.createTask(input, by: context.caller)
        return Reply(committed.value.json(directory: engine.directory), after: committed.ticket)
    }
}
