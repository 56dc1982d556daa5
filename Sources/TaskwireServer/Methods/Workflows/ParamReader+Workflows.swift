import JSON
import JSONRPC
import TaskEngine

extension ParamReader {
    /// A required workflow id (`workflow_id`), parsed; unparseable text is 404 `workflow_not_found` from
    /// ``finish()``, as for task ids.
    mutating func workflowID() throws(ResponseError) -> WorkflowID {
        let text = try required("workflow_id", as: String.self)
        guard let id = WorkflowID(text) else {
            deferError(EngineError.workflowNotFound(text).responseError)
            return WorkflowID(raw: 0)
        }
        return id
    }

    /// A list of steps (`steps`, `add_steps`): objects of `{name, assignee?, duration_hours?, depends_on?,
    /// description?, template_id?}`, each read strictly (an unknown member is -32602 naming it).
    mutating func workflowSteps(_ key: String, required isRequired: Bool) throws(ResponseError) -> [NewWorkflowStep] {
        let values: [JSONObject]? = isRequired ? try required(key) : try optional(key)
        var steps: [NewWorkflowStep] = []
        for value in values ?? [] {
            var step = try ParamReader(.object(value))
            var input = NewWorkflowStep(name: try step.required("name"))
            input.assignee = try step.optional("assignee")
            input.durationHours = try step.optional("duration_hours")
            input.dependsOn = try step.optional("depends_on", as: [String].self) ?? []
            input.description = try step.optional("description")
            input.templateID = try step.optional("template_id")
            try step.finish()
            steps.append(input)
        }
        return steps
    }
}
