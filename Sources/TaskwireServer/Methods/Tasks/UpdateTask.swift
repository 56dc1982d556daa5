import JSON
import TaskEngine

/// `tasks.update`: changes some fields; `null` clears `description`, `assignee` and `due_date`.
enum UpdateTask {
    /// Idempotent: the same patch again changes no field, so it records nothing.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("tasks.update", rateLimit: "update", readOnly: false, destructive: false, idempotent: true) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.taskID()
        let ifVersion = try reader.ifVersion()
        var patch = TaskPatch()
        patch.title = try reader.notNull("title")
        patch.description = try reader.clearable("description")
        patch.status = try reader.notNull("status")
        patch.priority = try reader.notNull("priority")
        patch.assignee = try reader.clearable("assignee")
        if reader.contains("due_date") {
            patch.dueDate = .some(try reader.time("due_date", error: "invalid_due_date"))
        }
        if reader.contains("tags") {
            patch.tags = try reader.clearable("tags", as: [String].self).map { $0 ?? [] }
        }
        if reader.contains("context") {
            patch.context = try reader.clearable("context", as: JSONObject.self).map { $0 ?? [:] }
        }
        patch.progress = try reader.notNull("progress")
        patch.timeSpentMinutes = try reader.notNull("time_spent_minutes")
        if reader.contains("checklist") { patch.checklist = try reader.checklist("checklist") ?? [] }
        patch.check = try reader.checks("check")
        try reader.finish()
        patch.requestOrder = params?.objectValue?.keys ?? []
        let committed = try await engine.update(id, patch, ifVersion: ifVersion, by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}
