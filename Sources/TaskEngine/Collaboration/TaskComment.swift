package import JSON

/// One comment on a task, as the engine holds it.
package struct TaskComment: Sendable, Equatable {
    /// The 64-bit id; ``id`` is its text.
    package var rawID: UInt64
    package var taskID: TaskID
    package var text: String
    /// The user who wrote it.
    package var author: UserID
    /// User ids mentioned in the text, in the order given, without duplicates.
    package var mentions: [UserID]
    /// Ids of attachments of the same task that the comment refers to (they may be deleted later).
    package var attachments: [AttachmentID]
    package var createdAt: Timestamp

    package init(
        rawID: UInt64, taskID: TaskID, text: String, author: UserID, mentions: [UserID], attachments: [AttachmentID],
        createdAt: Timestamp
    ) {
        self.rawID = rawID
        self.taskID = taskID
        self.text = text
        self.author = author
        self.mentions = mentions
        self.attachments = attachments
        self.createdAt = createdAt
    }

    /// The wire id, `cmt_…`.
    package var id: CommentID { CommentID(raw: rawID) }

    /// The `tasks.comments.add` reply, the event's `comment` and the stored form: `author` is the plain
    /// user id.
    package var json: JSONValue { .object(members(author: author.json)) }

    /// The `tasks.comments.list` item: `author` expanded to `{user_id, name}` (`name` only when known).
    package func listJSON(directory: any UserDirectory) -> JSONValue {
        var author: JSONObject = ["user_id": self.author.json]
        author.append("name", ifPresent: directory.profile(of: self.author)?.name.map(JSONValue.string))
        return .object(members(author: .object(author)))
    }

    private func members(author: JSONValue) -> JSONObject {
        [
            "comment_id": .string(id.description),
            "task_id": .string(taskID.description),
            "text": .string(text),
            "author": author,
            "created_at": .string(createdAt.rfc3339),
            "mentions": .array(mentions.map(\.json)),
            "attachments": .array(attachments.map { .string($0.description) }),
        ]
    }

    /// Reads a comment from its ``json`` form; throws ``EngineError/damaged(_:)`` when it is not one.
    init(json: JSONValue) throws(EngineError) {
        guard let object = json.objectValue,
            let id = object["comment_id"]?.stringValue,
            let raw = CommentID(id)?.raw,
            let taskID = object["task_id"]?.stringValue.flatMap(TaskID.init),
            let text = object["text"]?.stringValue,
            let author = object["author"]?.stringValue,
            let createdAt = object["created_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            let mentions = object["mentions"].flatMap(TaskField.strings),
            let texts = object["attachments"].flatMap(TaskField.strings),
            case let attachments = texts.compactMap(AttachmentID.init), attachments.count == texts.count
        else { throw .damaged("a stored comment lacks a required member") }
        self.init(
            rawID: raw, taskID: taskID, text: text, author: UserID(author), mentions: mentions.map { UserID($0) },
            attachments: attachments,
            createdAt: createdAt)
    }
}
