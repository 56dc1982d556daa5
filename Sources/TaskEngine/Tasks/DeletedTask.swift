package import JSON

/// A task that `tasks.delete` removed.
package struct DeletedTask: Sendable {
    package var taskID: TaskID
    /// The version the deletion produced.
    package var version: Int

    /// `{deleted, task_id, version}`.
    package var json: JSONValue {
        ["deleted": true, "task_id": .string(taskID.description), "version": .int(version)]
    }
}
