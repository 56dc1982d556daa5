package import JSON

/// The reply of `tasks.attachments.get`: an attachment's metadata and its bytes.
package struct AttachmentContent: Sendable {
    package var attachment: TaskAttachment
    /// The bytes in canonical base64.
    package var contentBase64: String

    /// The metadata plus `content_base64`.
    package var json: JSONValue { attachment.json(contentBase64: contentBase64) }
}
