import JSON
import TaskEngine

/// `templates.update`: changes some fields; `null` clears the optional ones.
enum UpdateTemplate {
    /// Idempotent: the same patch again changes no field, so it records nothing.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "templates.update", rateLimit: "admin", readOnly: false, destructive: false, idempotent: true
        ) { try await handle($0, $1, engine: engine) }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.templateID()
        var patch = TemplatePatch()
        patch.name = try reader.notNull("name")
        patch.descriptionTemplate = try reader.clearable("description_template")
        patch.titleTemplate = try reader.clearable("title_template")
        patch.defaultPriority = try reader.clearable("default_priority")
        if reader.contains("default_tags") {
            patch.defaultTags = try reader.clearable("default_tags", as: [String].self).map { $0 ?? [] }
        }
        patch.defaultAssignee = try reader.clearable("default_assignee")
        if reader.contains("checklist") {
            patch.checklist = try reader.clearable("checklist", as: [String].self).map { $0 ?? [] }
        }
        try reader.finish()
        let committed = try await engine.updateTemplate(
            id, patch, requestOrder: params?.objectValue?.keys ?? [], by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}
