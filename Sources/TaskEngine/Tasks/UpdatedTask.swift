package import JSON

/// What `tasks.update` changed.
package struct UpdatedTask: Sendable {
    package var task: TaskItem
    /// The wire names of the fields whose value changed, in the order the client sent them, followed by
    /// fields the change implied (`completed_at` when completing, for example).
    package var updatedFields: [String]

    /// `{task_id, updated, updated_fields, updated_at, version}`.
    package var json: JSONValue {
        [
            "task_id": .string(task.id.description),
            "updated": .bool(!updatedFields.isEmpty),
            "updated_fields": .array(updatedFields.map(JSONValue.string)),
            "updated_at": .string(task.updatedAt.rfc3339),
            "version": .int(task.version),
        ]
    }
}
