/// The documented limits on comments, attachments and watchers; exceeding one is a -32602 naming the field
/// (or 413 `too_large` for attachment bytes).
package enum CollaborationLimits {
    /// Characters (Unicode scalars) in a comment's text.
    package static let commentLength = 10_000
    /// Mentioned user ids on one comment.
    package static let mentionCount = 50
    /// Attachment ids one comment may refer to.
    package static let commentAttachmentCount = 20
    /// UTF-8 bytes in an attachment's file name.
    package static let filenameBytes = 255
    /// ASCII characters in a MIME type, parameters included.
    package static let mimeTypeLength = 255
    /// The default of `--max-attachment-bytes`: 10 MiB of decoded content.
    package static let defaultAttachmentBytes = 10 << 20
    /// Watchers on one task.
    package static let watcherCount = 100
    /// The largest `limit` of `tasks.comments.list`.
    package static let pageSize = 200
}
