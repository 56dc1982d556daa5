package import JSON

/// The reply of `tasks.watch` and `tasks.unwatch`.
package struct WatchResult: Sendable, Equatable {
    package var taskID: TaskID
    /// The user who was added or removed.
    package var userID: UserID
    /// Whether the user watches the task now.
    package var watching: Bool
    /// `false` when the user already was (or was not) watching, so nothing was recorded.
    package var changed: Bool
    /// Every watcher of the task after the call, in the order they started watching.
    package var watchers: [UserID]

    /// `{task_id, user_id, watching, changed, watchers}`.
    package var json: JSONValue {
        [
            "task_id": .string(taskID.description),
            "user_id": userID.json,
            "watching": .bool(watching),
            "changed": .bool(changed),
            "watchers": .array(watchers.map(\.json)),
        ]
    }
}
