package import JSON

/// What `tasks.create` produced: the new task, or the original one when an idempotent retry matched.
package struct CreatedTask: Sendable {
    package var task: TaskItem
    /// `true` when the idempotency key matched an earlier create and no new task was made.
    package var replayed: Bool

    /// The reply: the full task (the spec's `task_id, title, status, created_at, created_by` and the rest)
    /// plus `replayed`.
    package func json(directory: any UserDirectory) -> JSONValue {
        guard case .object(var object) = task.detailJSON(directory: directory) else { return .null }
        object.append("replayed", .bool(replayed))
        return .object(object)
    }
}
