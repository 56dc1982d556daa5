import JSON
import TaskEngine

/// `templates.get`: one template.
enum GetTemplate {
    /// Read-only; counts against the `read` limit.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("templates.get", rateLimit: "read", readOnly: true, destructive: false, idempotent: true) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.templateID()
        try reader.finish()
        return Reply(try await engine.template(id, for: context.caller).json)
    }
}
