import JSON
import TaskEngine

/// `automations.get`: one automation.
enum GetAutomation {
    /// Read-only; counts against the `read` limit.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("automations.get", rateLimit: "read", readOnly: true, destructive: false, idempotent: true) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.automationID()
        try reader.finish()
        return Reply(try await engine.automation(id, for: context.caller).json)
    }
}
