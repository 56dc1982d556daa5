import JSON
import TaskEngine

/// `templates.delete`: removes a template; tasks made from it keep their `template_id` and checklist.
enum DeleteTemplate {
    /// Destructive (a deleted template is gone) and idempotent (again, it is 404 and changes nothing).
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "templates.delete", rateLimit: "admin", readOnly: false, destructive: true, idempotent: true
        ) { try await handle($0, $1, engine: engine) }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.templateID()
        try reader.finish()
        let committed = try await engine.deleteTemplate(id, by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}
