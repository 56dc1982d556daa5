import JSON
import TaskEngine

/// `workflows.get`: the status, the workflow's fields and every step with its task's state.
enum GetWorkflow {
    /// Read-only; counts against the `read` limit.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("workflows.get", rateLimit: "read", readOnly: true, destructive: false, idempotent: true) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.workflowID()
        try reader.finish()
        return Reply(try await engine.workflowDetail(id, for: context.caller))
    }
}
