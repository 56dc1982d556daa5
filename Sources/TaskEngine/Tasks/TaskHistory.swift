package import JSON

/// Every change of one task, oldest first; answers for deleted tasks too.
package struct TaskHistory: Sendable {
    package var taskID: TaskID
    /// Whether the task has been deleted (its history stays readable).
    package var deleted: Bool
    package var events: [Event]

    /// `{task_id, deleted, history: [{seq, at, actor, agent, action, version, changes}…]}`.
    package var json: JSONValue {
        [
            "task_id": .string(taskID.description),
            "deleted": .bool(deleted),
            "history": .array(events.map(\.historyJSON)),
        ]
    }
}
