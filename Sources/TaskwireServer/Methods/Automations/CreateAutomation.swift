import JSON
import TaskEngine

/// `automations.create`: a rule that creates a task from a template when a matching event is published.
enum CreateAutomation {
    /// Not idempotent: every call creates another automation.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "automations.create", rateLimit: "admin", readOnly: false, destructive: false, idempotent: false
        ) { try await handle($0, $1, engine: engine) }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let input = try reader.automation()
        try reader.finish()
        let committed = try await engine.createAutomation(input, by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}
