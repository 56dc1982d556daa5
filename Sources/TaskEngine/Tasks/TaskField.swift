package import JSON

/// The fields a change record can carry, with their wire names and their JSON form.
///
/// The single place that turns task fields into JSON and back, used by change records (the journal),
/// history, replies and snapshots alike, so they can never disagree.
package enum TaskField: String, Sendable, CaseIterable {
    case title
    case description
    case status
    case priority
    case assignee
    case dueDate = "due_date"
    case tags
    case context
    case progress
    case timeSpentMinutes = "time_spent_minutes"
    case completedAt = "completed_at"
    case completedBy = "completed_by"
    case resolution
    case outcomes
    // Workflow fields (docs/workflows.md).
    case workflowID = "workflow_id"
    case step
    case blockedBy = "blocked_by"
    // Template fields (docs/templates.md).
    case checklist
    case templateID = "template_id"

    /// Whether a task's persistent JSON (snapshot lines, export) leaves the field out when it is unset, so
    /// that tasks which never used it are stored exactly as release 0.1.0 stored them.
    var isStoredOnlyWhenSet: Bool {
        switch self {
        case .workflowID, .step, .blockedBy, .checklist, .templateID: true
        default: false
        }
    }

    /// The field's value in a task, `null` when unset.
    package func value(of task: TaskItem) -> JSONValue {
        switch self {
        case .title: .string(task.title)
        case .description: task.description.map(JSONValue.string) ?? .null
        case .status: .string(task.status.rawValue)
        case .priority: .string(task.priority.rawValue)
        case .assignee: task.assignee?.json ?? .null
        case .dueDate: task.dueDate.map { .string($0.rfc3339) } ?? .null
        case .tags: .array(task.tags.map(JSONValue.string))
        case .context: Self.contextJSON(task.context)
        case .progress: .int(task.progress)
        case .timeSpentMinutes: .int(task.timeSpentMinutes)
        case .completedAt: task.completedAt.map { .string($0.rfc3339) } ?? .null
        case .completedBy: task.completedBy?.json ?? .null
        case .resolution: task.resolution.map(JSONValue.string) ?? .null
        case .outcomes: .array(task.outcomes.map(JSONValue.string))
        case .workflowID: task.workflowID.map { .string($0.description) } ?? .null
        case .step: task.step.map(JSONValue.string) ?? .null
        case .blockedBy: .array(task.blockedBy.map(JSONValue.string))
        case .checklist: .array(task.checklist.map(\.json))
        case .templateID: task.templateID.map { .string($0.text) } ?? .null
        }
    }

    /// The `context` object.
    static func contextJSON(_ context: [TaskItem.ContextEntry]) -> JSONValue {
        .object(JSONObject(context.map { (key: $0.key, value: JSONValue.string($0.value)) }))
    }

    /// Sets the field in `task` from its JSON form (a change record's `new`); `false` when the value does not
    /// have the field's type, which only a damaged or hand-edited record can cause.
    func set(_ value: JSONValue, in task: inout TaskItem) -> Bool {
        switch self {
        case .title:
            guard let string = value.stringValue else { return false }
            task.title = string
        case .description:
            guard let string = Self.optionalString(value) else { return false }
            task.description = string
        case .status:
            guard let status = value.stringValue.flatMap(TaskStatus.init(rawValue:)) else { return false }
            task.status = status
        case .priority:
            guard let priority = value.stringValue.flatMap(TaskPriority.init(rawValue:)) else { return false }
            task.priority = priority
        case .assignee:
            guard let string = Self.optionalString(value) else { return false }
            task.assignee = string.map { UserID($0) }
        case .dueDate:
            guard let time = Self.optionalTime(value) else { return false }
            task.dueDate = time
        case .tags:
            guard let strings = Self.strings(value) else { return false }
            task.tags = strings
        case .context:
            guard let object = value.objectValue else { return false }
            var entries: [TaskItem.ContextEntry] = []
            for member in object.members {
                guard let string = member.value.stringValue else { return false }
                entries.append(.init(key: member.key, value: string))
            }
            task.context = entries
        case .progress:
            guard let int = value.intValue else { return false }
            task.progress = int
        case .timeSpentMinutes:
            guard let int = value.intValue else { return false }
            task.timeSpentMinutes = int
        case .completedAt:
            guard let time = Self.optionalTime(value) else { return false }
            task.completedAt = time
        case .completedBy:
            guard let string = Self.optionalString(value) else { return false }
            task.completedBy = string.map { UserID($0) }
        case .resolution:
            guard let string = Self.optionalString(value) else { return false }
            task.resolution = string
        case .outcomes:
            guard let strings = Self.strings(value) else { return false }
            task.outcomes = strings
        case .workflowID:
            guard let string = Self.optionalString(value) else { return false }
            guard let string else {
                task.workflowID = nil
                return true
            }
            guard let id = WorkflowID(string) else { return false }
            task.workflowID = id
        case .step:
            guard let string = Self.optionalString(value) else { return false }
            task.step = string
        case .blockedBy:
            guard let strings = Self.strings(value) else { return false }
            task.blockedBy = strings
        case .checklist:
            guard let items = TaskItem.ChecklistItem.items(value) else { return false }
            task.checklist = items
        case .templateID:
            guard let string = Self.optionalString(value) else { return false }
            if let string {
                guard let id = TemplateID(string) else { return false }
                task.templateID = id
            } else {
                task.templateID = nil
            }
        }
        return true
    }

    // Double optionals: the outer nil means "wrong type", the inner nil means JSON null.
    private static func optionalString(_ value: JSONValue) -> String?? {
        if value.isNull { return .some(nil) }
        guard let string = value.stringValue else { return nil }
        return .some(string)
    }

    private static func optionalTime(_ value: JSONValue) -> Timestamp?? {
        if value.isNull { return .some(nil) }
        guard let time = value.stringValue.flatMap(Timestamp.init(rfc3339:)) else { return nil }
        return .some(time)
    }

    static func strings(_ value: JSONValue) -> [String]? {
        guard let array = value.arrayValue else { return nil }
        var strings: [String] = []
        strings.reserveCapacity(array.count)
        for element in array {
            guard let string = element.stringValue else { return nil }
            strings.append(string)
        }
        return strings
    }

    /// `{field: {old, new}}` for every field that differs between two versions of a task, in field order.
    static func changes(from old: TaskItem, to new: TaskItem) -> JSONObject {
        var changes = JSONObject()
        for field in allCases {
            let before = field.value(of: old)
            let after = field.value(of: new)
            if before != after { changes.append(field.rawValue, ["old": before, "new": after]) }
        }
        return changes
    }

    /// The changes that describe a new task: every field that is set, with `old` null.
    static func creation(of task: TaskItem) -> JSONObject {
        var changes = JSONObject()
        for field in allCases {
            let value = field.value(of: task)
            switch value {
            case .null: continue
            case .array(let array) where array.isEmpty: continue
            case .object(let object) where object.isEmpty: continue
            default: changes.append(field.rawValue, ["old": .null, "new": value])
            }
        }
        return changes
    }
}
