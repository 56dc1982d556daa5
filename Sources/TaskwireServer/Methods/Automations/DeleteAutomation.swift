import JSON
import TaskEngine

/// `automations.delete`: removes an automation; the tasks it created stay.
enum DeleteAutomation {
    /// Destructive and idempotent (again, it is 404 and changes nothing).
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "automations.delete", rateLimit: "admin", readOnly: false, destructive: true, idempotent: true
        ) { try await handle($0, $1, engine: engine) }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.automationID()
        try reader.finish()
        let committed = try await engine.deleteAutomation(id, by: context.caller)
        return Reply(["automation_id": .string(committed.value.description), "deleted": true], after: committed.ticket)
    }
}
