package import JSON

/// What an event is about, typed: the record's `task_id`, `user_id` or `token_id`.
///
/// Every domain's events name their subject here: tasks and collaboration events a task, identity events a
/// user or a token. New domains add their own cases (`.template`, `.workflow`, `.automation`,
/// `.notification`) with the member their records carry, so the event log, feeds and automations can tell
/// what an event concerns without knowing the domains.
package enum EventSubject: Hashable, Sendable {
    case task(TaskID)
    case user(UserID)
    case token(TokenID)
    case workflow(WorkflowID)
    case template(TemplateID)
    case automation(AutomationID)

    /// The record member that holds the subject's id.
    package var key: String {
        switch self {
        case .task: "task_id"
        case .user: "user_id"
        case .token: "token_id"
        case .workflow: "workflow_id"
        case .template: "template_id"
        case .automation: "automation_id"
        }
    }

    /// The id's wire text.
    package var text: String {
        switch self {
        case .task(let id): id.description
        case .user(let id): id.description
        case .token(let id): id.description
        case .workflow(let id): id.description
        case .template(let id): id.text
        case .automation(let id): id.description
        }
    }

    /// The task the event concerns, if it concerns one.
    package var taskID: TaskID? {
        if case .task(let id) = self { return id }
        return nil
    }

    /// Reads the subject an event of `type` names from its record; `nil` when the member is missing or
    /// not an id of the right kind.
    init?(of type: EventType, in record: JSONObject) {
        let key = type.subjectKey
        guard let text = record[key]?.stringValue else { return nil }
        switch key {
        case "user_id": self = .user(UserID(text))
        case "token_id":
            guard let id = TokenID(text) else { return nil }
            self = .token(id)
        case "workflow_id":
            guard let id = WorkflowID(text) else { return nil }
            self = .workflow(id)
        case "template_id":
            guard let id = TemplateID(text) else { return nil }
            self = .template(id)
        case "automation_id":
            guard let id = AutomationID(text) else { return nil }
            self = .automation(id)
        default:
            guard let id = TaskID(text) else { return nil }
            self = .task(id)
        }
    }
}
