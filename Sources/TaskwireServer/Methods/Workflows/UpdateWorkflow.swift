import JSON
import JSONRPC
import TaskEngine

/// `workflows.update`: renames a workflow, adds steps or changes dependencies, with the cycle check.
enum UpdateWorkflow {
    /// Not idempotent: `add_steps` adds the steps again (and is refused as duplicate names).
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "workflows.update", rateLimit: "update", readOnly: false, destructive: false, idempotent: false
        ) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.workflowID()
        let name: String? = try reader.optional("name")
        let steps = try reader.workflowSteps("add_steps", required: false)
        var dependsOn: [(String, [String])] = []
        if let object: JSONObject = try reader.optional("depends_on") {
            for member in object.members {
                guard let list = [String](param: member.value) else {
                    throw ResponseError.invalidParams(
                        "depends_on.\(member.key) must be an array of step names.", field: "depends_on")
                }
                dependsOn.append((member.key, list))
            }
        }
        try reader.finish()
        let committed = try await engine.updateWorkflow(
            id, WorkflowPatch(name: name, addSteps: steps, dependsOn: dependsOn), by: context.caller)
        return Reply(committed.value, after: committed.ticket)
    }
}
