package import JSON

/// An attachment that `tasks.attachments.delete` removed.
package struct DeletedAttachment: Sendable {
    package var attachmentID: String
    package var taskID: String

    /// `{deleted, attachment_id, task_id}`.
    package var json: JSONValue {
        ["deleted": true, "attachment_id": .string(attachmentID), "task_id": .string(taskID)]
    }
}
