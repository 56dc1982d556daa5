import JSON
import TaskEngine

/// `workflows.cancel`: cancels the workflow and every open task of its steps.
enum CancelWorkflow {
    /// Idempotent in effect (a second call is 409 and changes nothing); not destructive, since cancelled
    /// tasks can be reopened.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "workflows.cancel", rateLimit: "update", readOnly: false, destructive: false, idempotent: true
        ) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.workflowID()
        try reader.finish()
        let committed = try await engine.cancelWorkflow(id, by: context.caller)
        return Reply(committed.value, after: committed.ticket)
    }
}
