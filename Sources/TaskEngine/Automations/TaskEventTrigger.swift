package import JSON

/// The `task_event` trigger: a feed type of a task and conditions the task, as the change leaves it, meets.
///
/// Every condition given must hold: `priority` (one of the levels), `tags` (the task carries any of them),
/// `bot_id` (the task's `context.bot_id`). The wire shows `priority` as a list, however it was given.
package struct TaskEventTrigger: Sendable, Equatable {
    /// The feed types of a task that may trigger.
    package static let events: [FeedEventType] = [
        .taskCreated, .taskAssigned, .taskUpdated, .taskCompleted, .taskCancelled, .taskReopened, .taskDeleted,
        .taskOverdue, .taskDueSoon,
    ]

    package var event: FeedEventType
    package var priorities: [TaskPriority]?
    package var tags: [String]?
    package var botID: String?

    package init(event: FeedEventType) { self.event = event }

    /// Whether a task meets every condition.
    func matches(_ task: TaskItem) -> Bool {
        if let priorities, !priorities.contains(task.priority) { return false }
        if let tags, !tags.contains(where: task.tags.contains) { return false }
        if let botID, task.context.first(where: { $0.key == "bot_id" })?.value != botID { return false }
        return true
    }

    var json: JSONValue {
        var conditions: JSONObject = [:]
        if let priorities { conditions["priority"] = .array(priorities.map { .string($0.rawValue) }) }
        if let tags { conditions["tags"] = .array(tags.map(JSONValue.string)) }
        if let botID { conditions["bot_id"] = .string(botID) }
        return ["type": "task_event", "event": .string(event.rawValue), "conditions": .object(conditions)]
    }

    /// Reads the trigger from its ``json`` form; `nil` when it is not one.
    init?(json value: JSONValue) {
        guard let object = value.objectValue, object["type"] == "task_event",
            let text = object["event"]?.stringValue, Self.events.contains(FeedEventType(rawValue: text)),
            let conditions = object["conditions"]?.objectValue
        else { return nil }
        self.init(event: FeedEventType(rawValue: text))
        if let value = conditions["priority"] {
            guard let texts = TaskField.strings(value) else { return nil }
            var priorities: [TaskPriority] = []
            for text in texts {
                guard let priority = TaskPriority(rawValue: text) else { return nil }
                priorities.append(priority)
            }
            self.priorities = priorities
        }
        if let value = conditions["tags"] {
            guard let tags = TaskField.strings(value) else { return nil }
            self.tags = tags
        }
        if let value = conditions["bot_id"] {
            guard let botID = value.stringValue else { return nil }
            self.botID = botID
        }
    }
}
