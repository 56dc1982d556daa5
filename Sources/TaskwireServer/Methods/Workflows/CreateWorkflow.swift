import JSON
import TaskEngine

/// `workflows.create`: a workflow and one task per step, committed together.
enum CreateWorkflow {
    /// Not idempotent: every call creates another workflow.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "workflows.create", rateLimit: "create", readOnly: false, destructive: false, idempotent: false
        ) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let name: String = try reader.required("name")
        let steps = try reader.workflowSteps("steps", required: true)
        let workflowContext: JSONObject? = try reader.optional("context")
        try reader.finish()
        let committed = try await engine.createWorkflow(
            NewWorkflow(name: name, steps: steps, context: workflowContext), by: context.caller)
        return Reply(committed.value, after: committed.ticket)
    }
}
