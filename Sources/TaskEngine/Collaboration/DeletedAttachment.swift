package import JSON

/// An attachment that `tasks.attachments.delete` removed.
package struct DeletedAttachment: Sendable {
    package var attachmentID: AttachmentID
    package var taskID: TaskID

    /// `{deleted, attachment_id, task_id}`.
    package var json: JSONValue {
        ["deleted": true, "attachment_id": .string(attachmentID.description), "task_id": .string(taskID.description)]
    }
}
