package import JSON

/// One step of `workflows.create` or `workflows.update`'s `add_steps`, as the client sent it.
package struct NewWorkflowStep: Sendable {
    package var name: String
    package var assignee: UserID?
    package var durationHours: Double?
    package var dependsOn: [String]
    package var description: String?
    /// A template to build the step's task from (see docs/workflows.md: the template must exist).
    package var templateID: String?

    package init(
        name: String, assignee: UserID? = nil, durationHours: Double? = nil, dependsOn: [String] = [],
        description: String? = nil, templateID: String? = nil
    ) {
        self.name = name
        self.assignee = assignee
        self.durationHours = durationHours
        self.dependsOn = dependsOn
        self.description = description
        self.templateID = templateID
    }
}

/// The params of `workflows.create`.
package struct NewWorkflow: Sendable {
    package var name: String
    package var steps: [NewWorkflowStep]
    /// Host-defined string keys (as on tasks), copied onto every step's task.
    package var context: JSONObject?

    package init(name: String, steps: [NewWorkflowStep], context: JSONObject? = nil) {
        self.name = name
        self.steps = steps
        self.context = context
    }
}

/// The params of `workflows.update`: each part optional, at least one given.
package struct WorkflowPatch: Sendable {
    package var name: String?
    package var addSteps: [NewWorkflowStep]
    /// New dependency lists, by step name; a step not named keeps its dependencies.
    package var dependsOn: [(step: String, dependsOn: [String])]

    package init(name: String? = nil, addSteps: [NewWorkflowStep] = [], dependsOn: [(String, [String])] = []) {
        self.name = name
        self.addSteps = addSteps
        self.dependsOn = dependsOn.map { (step: $0.0, dependsOn: $0.1) }
    }
}

/// The documented limits of workflows; exceeding one is -32602 `invalid_workflow` naming the field.
package enum WorkflowLimits {
    /// Steps in one workflow.
    package static let stepCount = 1_000
    /// Characters in a workflow's or a step's name.
    package static let nameLength = 200
    /// Dependencies of one step.
    package static let dependencyCount = 100
    /// The largest `duration_hours` of a step (about 11 years).
    package static let durationHours = 100_000.0
    /// Characters in a `template_id`.
    package static let templateIDLength = 128
    /// The largest `limit` of `workflows.list`.
    package static let pageSize = 200
}
