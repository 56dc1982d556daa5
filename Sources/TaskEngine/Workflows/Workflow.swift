package import JSON

/// One workflow, as the engine holds it: named steps, each done by one task, with dependencies between them.
///
/// The workflow stores its steps' structure (names, dependencies, durations, the task of each); what a step's
/// task is doing lives on the task. Its status is derived from the tasks (``WorkflowProgress``) except for
/// `cancelled_at` and `completed_at`, which events set.
package struct Workflow: Sendable, Equatable {
    /// One step: a name unique within the workflow, the task that does it, and what it waits for.
    package struct Step: Sendable, Equatable {
        package var name: String
        package var taskID: TaskID
        /// Names of the steps that must be completed before this one may start.
        package var dependsOn: [String]
        /// How long the step is expected to take, for `estimated_completion`; `nil` counts as 0.
        package var durationHours: Double?
        /// The template the step names (its task was built from it; see docs/workflows.md).
        package var templateID: String?

        var json: JSONValue {
            [
                "name": .string(name),
                "task_id": .string(taskID.description),
                "depends_on": .array(dependsOn.map(JSONValue.string)),
                "duration_hours": durationHours.map(Self.hoursJSON) ?? .null,
                "template_id": templateID.map(JSONValue.string) ?? .null,
            ]
        }

        /// Whole hours as integers (`2`, not `2.0`), so records read the way the spec writes them.
        static func hoursJSON(_ hours: Double) -> JSONValue {
            hours == hours.rounded() && abs(hours) < 1e15 ? .int(Int(hours)) : .number(String(hours))
        }

        init(
            name: String, taskID: TaskID, dependsOn: [String], durationHours: Double?, templateID: String?
        ) {
            self.name = name
            self.taskID = taskID
            self.dependsOn = dependsOn
            self.durationHours = durationHours
            self.templateID = templateID
        }

        init?(json: JSONValue) {
            guard let object = json.objectValue, let name = object["name"]?.stringValue,
                let taskID = object["task_id"]?.stringValue.flatMap(TaskID.init),
                let dependsOn = object["depends_on"].flatMap(TaskField.strings)
            else { return nil }
            let duration = object["duration_hours"] ?? .null
            let template = object["template_id"] ?? .null
            guard duration.isNull || duration.doubleValue != nil, template.isNull || template.stringValue != nil
            else { return nil }
            self.init(
                name: name, taskID: taskID, dependsOn: dependsOn, durationHours: duration.doubleValue,
                templateID: template.stringValue)
        }
    }

    package var rawID: UInt64
    package var name: String
    package var steps: [Step]
    package var context: [TaskItem.ContextEntry]
    package var createdAt: Timestamp
    package var createdBy: UserID
    package var updatedAt: Timestamp
    /// When every step's task was completed (`workflow_completed`); cleared when one is reopened.
    package var completedAt: Timestamp?
    /// When the workflow was cancelled; a cancelled workflow stays cancelled.
    package var cancelledAt: Timestamp?

    /// The wire id, `wf_…`.
    package var id: WorkflowID { WorkflowID(raw: rawID) }

    /// The step with a name, and its position.
    func step(named name: String) -> (index: Int, step: Step)? {
        guard let index = steps.firstIndex(where: { $0.name == name }) else { return nil }
        return (index, steps[index])
    }

    // MARK: Fields carried by events

    /// The fields workflow events change, as `{field: {old, new}}` members.
    enum Field: String, CaseIterable {
        case name, steps, context
        case completedAt = "completed_at"
        case cancelledAt = "cancelled_at"
    }

    func value(of field: Field) -> JSONValue {
        switch field {
        case .name: .string(name)
        case .steps: .array(steps.map(\.json))
        case .context: TaskField.contextJSON(context)
        case .completedAt: completedAt.map { .string($0.rfc3339) } ?? .null
        case .cancelledAt: cancelledAt.map { .string($0.rfc3339) } ?? .null
        }
    }

    /// Sets a field from its JSON form; `false` when the value does not fit.
    mutating func set(_ field: Field, _ value: JSONValue) -> Bool {
        switch field {
        case .name:
            guard let string = value.stringValue else { return false }
            name = string
        case .steps:
            guard let array = value.arrayValue else { return false }
            var steps: [Step] = []
            for element in array {
                guard let step = Step(json: element) else { return false }
                steps.append(step)
            }
            self.steps = steps
        case .context:
            var task = TaskItem(rawID: 0, title: "", createdAt: createdAt, createdBy: createdBy)
            guard TaskField.context.set(value, in: &task) else { return false }
            context = task.context
        case .completedAt, .cancelledAt:
            let time: Timestamp?
            if value.isNull {
                time = nil
            } else {
                guard let parsed = value.stringValue.flatMap(Timestamp.init(rfc3339:)) else { return false }
                time = parsed
            }
            if field == .completedAt { completedAt = time } else { cancelledAt = time }
        }
        return true
    }

    /// `{field: {old, new}}` for every field that differs between two versions.
    static func changes(from old: Workflow?, to new: Workflow) -> JSONObject {
        var changes = JSONObject()
        for field in Field.allCases {
            let before = old.map { $0.value(of: field) } ?? .null
            let after = new.value(of: field)
            if before == after { continue }
            if old == nil, after == .array([]) || after == .object([:]) { continue }
            changes.append(field.rawValue, ["old": before, "new": after])
        }
        return changes
    }

    /// The stored form (snapshot lines, export).
    var persistentJSON: JSONObject {
        var object: JSONObject = [
            "workflow_id": .string(id.description),
            "name": .string(name),
            "steps": value(of: .steps),
            "context": value(of: .context),
            "created_at": .string(createdAt.rfc3339),
            "created_by": createdBy.json,
            "updated_at": .string(updatedAt.rfc3339),
        ]
        object.append("completed_at", value(of: .completedAt))
        object.append("cancelled_at", value(of: .cancelledAt))
        return object
    }

    init(rawID: UInt64, name: String, createdAt: Timestamp, createdBy: UserID) {
        self.rawID = rawID
        self.name = name
        self.steps = []
        self.context = []
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = createdAt
        self.completedAt = nil
        self.cancelledAt = nil
    }

    /// Reads a workflow from its ``persistentJSON`` form.
    init(persistent object: JSONObject) throws(EngineError) {
        guard let id = object["workflow_id"]?.stringValue.flatMap(WorkflowID.init),
            let createdAt = object["created_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            let updatedAt = object["updated_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            let createdBy = object["created_by"]?.stringValue
        else { throw .damaged("a stored workflow lacks a required member") }
        self.init(rawID: id.raw, name: "", createdAt: createdAt, createdBy: UserID(createdBy))
        for field in Field.allCases {
            guard let value = object[field.rawValue], set(field, value) else {
                throw .damaged("stored workflow \(id) has a bad \(field.rawValue)")
            }
        }
        self.updatedAt = updatedAt
    }
}
