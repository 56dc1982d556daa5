/// The params of `tasks.attachments.upload`, as the client sent them (the engine validates and decodes).
package struct NewAttachment: Sendable, Equatable {
    package var taskID: TaskID
    package var filename: String
    /// The bytes, in canonical base64.
    package var contentBase64: String
    /// The client's MIME type; when absent the engine detects one from the content.
    package var mimeType: String?

    package init(taskID: TaskID, filename: String, contentBase64: String, mimeType: String? = nil) {
        self.taskID = taskID
        self.filename = filename
        self.contentBase64 = contentBase64
        self.mimeType = mimeType
    }
}
