package import JSON

/// The reply of `tasks.attachments.list`: every attachment of a task, oldest first.
package struct AttachmentList: Sendable {
    package var taskID: TaskID
    package var attachments: [TaskAttachment]

    /// `{task_id, attachments: [metadata…], total}`.
    package var json: JSONValue {
        [
            "task_id": .string(taskID.description),
            "attachments": .array(attachments.map(\.json)),
            "total": .int(attachments.count),
        ]
    }
}
