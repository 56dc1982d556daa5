import JSON
import TaskEngine

/// `tasks.list`: filters, sort, order and paging over live tasks.
enum ListTasks {
    /// Read-only; counts against the `list` limit.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("tasks.list", rateLimit: "list", readOnly: true, destructive: false, idempotent: true) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        var query = TaskQuery()
        query.statuses = try reader.stringList("status")
        query.unassigned = reader.contains("assignee") && reader.value("assignee") == nil
        query.assignee = try reader.optional("assignee")
        query.priorities = try reader.stringList("priority")
        query.dueBefore = try reader.time("due_before")
        query.dueAfter = try reader.time("due_after")
        query.tags = try reader.stringList("tags")
        query.updatedAfter = try reader.time("updated_after")
        query.createdBy = try reader.optional("created_by")
        query.search = try reader.optional("q")
        query.overdue = try reader.optional("overdue") ?? false
        query.page = try reader.optional("page") ?? 1
        query.limit = try reader.optional("limit") ?? 20
        query.sort = try reader.optional("sort")
        query.order = try reader.optional("order")
        try reader.finish()
        return Reply(try await engine.list(query, for: context.caller).json)
    }
}
