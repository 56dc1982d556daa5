import JSON

extension EventType.Domain {
    /// The feed types a committed journal event of this domain yields, each at most once, in feed order.
    ///
    /// This is the per-domain hook of the event feed: tasks map one journal event to several feed events
    /// (``TaskLedger/feedTypes(of:)``); identity events are internal and yield none; a domain without a
    /// mapping of its own yields one feed event named like its journal event type (the default).
    func feedTypes(of event: Event, task: TaskItem?) -> [FeedEventType] {
        switch self {
        case .tasks: TaskLedger.feedTypes(of: event)
        case .identity, .notifications: []
        case .collaboration, .templates, .workflows, .automations: [FeedEventType(rawValue: event.type.rawValue)]
        }
    }
}

extension TaskLedger {
    /// Fields a status move sets along with it: they belong to its `task_completed` or `task_reopened`, not
    /// to a `task_updated`.
    private static let completionFields: Set<String> = [
        "status", "completed_at", "completed_by", "progress", "resolution", "outcomes", "time_spent_minutes",
    ]

    /// The feed types of a task event, read from its `changes`:
    ///
    /// - `task_created`, `task_deleted`, `task_overdue` and `task_due_soon` alone;
    /// - `task_completed`, `task_cancelled` or `task_reopened` when the status moved to completed, to
    ///   cancelled, or from either back to an open status (with the completion fields that move sets);
    /// - `task_assigned` when the assignee changed;
    /// - `task_updated` when any other field changed (a move between open statuses included).
    static func feedTypes(of event: Event) -> [FeedEventType] {
        switch event.type {
        // A task an automation created carries its firing: the commit is also the automation's.
        case .taskCreated: return event.detail == nil ? [.taskCreated] : [.taskCreated, .automationFired]
        case .taskDeleted: return [.taskDeleted]
        case .taskOverdue: return [.taskOverdue]
        case .taskDueSoon: return [.taskDueSoon]
        default: break
        }
        var types: [FeedEventType] = []
        var others = Set(event.changes.keys)
        let oldStatus = event.changes["status"]?["old"]?.stringValue.flatMap(TaskStatus.init(rawValue:))
        let newStatus = event.changes["status"]?["new"]?.stringValue.flatMap(TaskStatus.init(rawValue:))
        if let oldStatus, let newStatus, oldStatus != newStatus {
            if newStatus == .completed {
                types.append(.taskCompleted)
                others.subtract(completionFields)
            } else if newStatus == .cancelled {
                types.append(.taskCancelled)
                others.remove("status")
            } else if !oldStatus.isOpen {
                types.append(.taskReopened)
                others.subtract(["status", "completed_at", "completed_by"])
            }
        } else if event.type == .taskCompleted {
            types.append(.taskCompleted)
            others.subtract(completionFields)
        }
        if others.remove("assignee") != nil { types.append(.taskAssigned) }
        if !others.isEmpty || types.isEmpty { types.append(.taskUpdated) }
        return types
    }
}
