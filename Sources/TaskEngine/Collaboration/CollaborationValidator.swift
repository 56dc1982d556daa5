/// Checks client values of comments, attachments and watchers against ``CollaborationLimits``, throwing
/// -32602 errors that name the field.
enum CollaborationValidator {
    static func commentText(_ text: String) throws(EngineError) -> String {
        if text.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
            throw .invalid("text", "Comment text must not be empty.")
        }
        try Validator.length(text, "text", CollaborationLimits.commentLength)
        return text
    }

    /// Mentioned user ids: each 1-128 characters; duplicates dropped, order kept.
    static func mentions(_ mentions: [UserID]) throws(EngineError) -> [UserID] {
        var result: [UserID] = []
        for mention in mentions where !result.contains(mention) {
            result.append(UserID(try Validator.nonEmpty(mention.text, "mentions", TaskLimits.userIDLength)))
        }
        guard result.count <= CollaborationLimits.mentionCount else {
            throw .invalid("mentions", "A comment mentions at most \(CollaborationLimits.mentionCount) users.")
        }
        return result
    }

    /// Attachment ids a comment refers to: duplicates dropped, order kept. Whether they exist is the
    /// engine's check.
    static func attachmentIDs(_ ids: [String]) throws(EngineError) -> [String] {
        var result: [String] = []
        for id in ids where !result.contains(id) { result.append(id) }
        guard result.count <= CollaborationLimits.commentAttachmentCount else {
            throw .invalid(
                "attachments", "A comment refers to at most \(CollaborationLimits.commentAttachmentCount) attachments.")
        }
        return result
    }

    /// A file name: 1-255 UTF-8 bytes without control characters (NUL, line breaks, DEL). It is metadata
    /// only and never names a file on the server, so `/` and any other character are kept as given.
    static func filename(_ name: String) throws(EngineError) -> String {
        guard !name.isEmpty, name.utf8.count <= CollaborationLimits.filenameBytes else {
            throw .invalid(
                "filename", "Field filename must be 1 to \(CollaborationLimits.filenameBytes) bytes of UTF-8.")
        }
        guard !name.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw .invalid("filename", "Field filename must not contain control characters.")
        }
        return name
    }

    /// A user id given as a param (a watcher).
    static func userID(_ id: UserID, field: String) throws(EngineError) -> UserID {
        UserID(try Validator.nonEmpty(id.text, field, TaskLimits.userIDLength))
    }

    /// `page` and `limit` of a list, as `tasks.list` checks them.
    static func paging(page: Int, limit: Int) throws(EngineError) {
        guard (1...TaskLimits.pageNumber).contains(page) else {
            throw .invalid("page", "Page must be between 1 and \(TaskLimits.pageNumber).")
        }
        guard (1...CollaborationLimits.pageSize).contains(limit) else {
            throw .invalid("limit", "Limit must be between 1 and \(CollaborationLimits.pageSize).")
        }
    }
}
