import JSON
import TaskEngine

/// `templates.create`: creates a template and returns it whole; `template_id` lets the client choose its id.
enum CreateTemplate {
    /// Not idempotent: without a `template_id` every call creates another template.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "templates.create", rateLimit: "admin", readOnly: false, destructive: false, idempotent: false
        ) { try await handle($0, $1, engine: engine) }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        var input = NewTemplate(name: try reader.required("name"))
        input.descriptionTemplate = try reader.optional("description_template")
        input.titleTemplate = try reader.optional("title_template")
        input.defaultPriority = try reader.optional("default_priority")
        input.defaultTags = try reader.optional("default_tags", as: [String].self) ?? []
        input.defaultAssignee = try reader.optional("default_assignee")
        input.checklist = try reader.optional("checklist", as: [String].self) ?? []
        input.templateID = try reader.optional("template_id")
        try reader.finish()
        let committed = try await engine.createTemplate(input, by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}
