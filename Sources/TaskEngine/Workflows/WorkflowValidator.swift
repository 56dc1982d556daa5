import JSON

/// Checks workflow definitions: names, limits, dependencies and cycles (-32602 `invalid_workflow`).
enum WorkflowValidator {
    static func invalid(_ message: String, field: String) -> EngineError {
        .invalidWorkflow(message: message, details: ["field": .string(field)])
    }

    /// A workflow's or a step's name: not blank, at most ``WorkflowLimits/nameLength`` characters.
    static func name(_ text: String, field: String) throws(EngineError) -> String {
        guard !text.unicodeScalars.allSatisfy(\.properties.isWhitespace) else {
            throw invalid("Field \(field) must not be empty.", field: field)
        }
        if text.unicodeScalars.count > WorkflowLimits.nameLength {
            throw invalid("Field \(field) is longer than \(WorkflowLimits.nameLength) characters.", field: field)
        }
        return text
    }

    /// A step as given, with its dependencies deduplicated; `existing` are the names already taken.
    static func step(_ input: NewWorkflowStep, existing: inout Set<String>) throws(EngineError) -> NewWorkflowStep {
        var step = input
        step.name = try name(input.name, field: "steps.name")
        guard existing.insert(step.name).inserted else {
            throw .invalidWorkflow(
                message: "Step names must be unique; \(step.name) appears twice",
                details: ["field": "steps.name", "step": .string(step.name)])
        }
        if let assignee = input.assignee { step.assignee = try Validator.assignee(assignee) }
        if let description = input.description { step.description = try Validator.description(description) }
        if let hours = input.durationHours {
            guard hours.isFinite, hours >= 0, hours <= WorkflowLimits.durationHours else {
                throw invalid(
                    "duration_hours must be between 0 and \(Int(WorkflowLimits.durationHours)).",
                    field: "steps.duration_hours")
            }
        }
        if let template = input.templateID {
            _ = try Validator.nonEmpty(template, "steps.template_id", WorkflowLimits.templateIDLength)
            // The engine checks that the template exists when it builds the step's task (`stepTemplate`).
        }
        step.dependsOn = try dependencies(input.dependsOn, of: step.name)
        return step
    }

    /// A dependency list without repeats, within the limit.
    static func dependencies(_ list: [String], of step: String) throws(EngineError) -> [String] {
        var seen = Set<String>()
        let unique = list.filter { seen.insert($0).inserted }
        guard unique.count <= WorkflowLimits.dependencyCount else {
            throw .invalidWorkflow(
                message: "A step depends on at most \(WorkflowLimits.dependencyCount) steps; \(step) names more",
                details: ["field": "steps.depends_on", "step": .string(step)])
        }
        return unique
    }

    /// The step count limit.
    static func stepCount(_ count: Int) throws(EngineError) {
        guard count >= 1 else { throw invalid("A workflow needs at least one step.", field: "steps") }
        guard count <= WorkflowLimits.stepCount else {
            throw invalid("A workflow has at most \(WorkflowLimits.stepCount) steps, not \(count).", field: "steps")
        }
    }

    /// Every dependency names a step and no chain of dependencies returns to where it started.
    static func graph(names: [String], dependsOn: [[String]]) throws(EngineError) -> WorkflowGraph {
        let graph = try WorkflowGraph(names: names, dependsOn: dependsOn)
        if let cycle = graph.cycle() {
            throw .invalidWorkflow(
                message: "The steps' dependencies form a cycle: " + cycle.joined(separator: " → "),
                details: ["cycle": .array(cycle.map(JSONValue.string))])
        }
        return graph
    }
}
