import JSON
import TaskEngine

/// `automations.update`: changes `name`, `enabled`, or replaces `trigger` or `action` whole.
enum UpdateAutomation {
    /// Idempotent: the same change again changes nothing and records nothing.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "automations.update", rateLimit: "admin", readOnly: false, destructive: false, idempotent: true
        ) { try await handle($0, $1, engine: engine) }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.automationID()
        let input = try reader.automation()
        try reader.finish()
        let committed = try await engine.updateAutomation(id, input, by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}
