/// The params of `tasks.comments.add`, as the client sent them (the engine validates).
package struct NewComment: Sendable, Equatable {
    package var taskID: TaskID
    package var text: String
    /// User ids mentioned in the text.
    package var mentions: [UserID] = []
    /// Ids of attachments of the same task (`att_…`).
    package var attachments: [String] = []

    package init(taskID: TaskID, text: String) {
        self.taskID = taskID
        self.text = text
    }
}
