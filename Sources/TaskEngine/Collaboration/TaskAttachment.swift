package import JSON

/// The metadata of one attachment; the bytes live in the store's blobs under ``sha256``.
package struct TaskAttachment: Sendable, Equatable {
    /// The 64-bit id; ``id`` is its text.
    package var rawID: UInt64
    package var taskID: TaskID
    /// The name the client gave; metadata only, it never names a file on the server.
    package var filename: String
    package var sizeBytes: Int
    /// Given by the client, or detected from the content.
    package var mimeType: String
    /// The SHA-256 of the bytes, 64 lowercase hex digits: the blob key.
    package var sha256: String
    package var uploadedAt: Timestamp
    package var uploadedBy: UserID

    package init(
        rawID: UInt64, taskID: TaskID, filename: String, sizeBytes: Int, mimeType: String, sha256: String,
        uploadedAt: Timestamp, uploadedBy: UserID
    ) {
        self.rawID = rawID
        self.taskID = taskID
        self.filename = filename
        self.sizeBytes = sizeBytes
        self.mimeType = mimeType
        self.sha256 = sha256
        self.uploadedAt = uploadedAt
        self.uploadedBy = uploadedBy
    }

    /// The wire id, `att_…`.
    package var id: AttachmentID { AttachmentID(raw: rawID) }

    /// `{attachment_id, task_id, filename, size_bytes, mime_type, uploaded_at, uploaded_by, sha256}`: the
    /// upload reply, list items, the event's `attachment` and the stored form.
    package var json: JSONValue { .object(members) }

    /// ``json`` plus `content_base64`: the `tasks.attachments.get` reply.
    package func json(contentBase64: String) -> JSONValue {
        var object = members
        object.append("content_base64", .string(contentBase64))
        return .object(object)
    }

    private var members: JSONObject {
        [
            "attachment_id": .string(id.description),
            "task_id": .string(taskID.description),
            "filename": .string(filename),
            "size_bytes": .int(sizeBytes),
            "mime_type": .string(mimeType),
            "uploaded_at": .string(uploadedAt.rfc3339),
            "uploaded_by": uploadedBy.json,
            "sha256": .string(sha256),
        ]
    }

    /// Reads an attachment from its ``json`` form; throws ``EngineError/damaged(_:)`` when it is not one.
    init(json: JSONValue) throws(EngineError) {
        guard let object = json.objectValue,
            let id = object["attachment_id"]?.stringValue,
            let raw = AttachmentID(id)?.raw,
            let taskID = object["task_id"]?.stringValue.flatMap(TaskID.init),
            let filename = object["filename"]?.stringValue,
            let size = object["size_bytes"]?.intValue, size >= 0,
            let mimeType = object["mime_type"]?.stringValue,
            let sha256 = object["sha256"]?.stringValue, sha256.utf8.count == 64,
            let uploadedAt = object["uploaded_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            let uploadedBy = object["uploaded_by"]?.stringValue
        else { throw .damaged("a stored attachment lacks a required member") }
        self.init(
            rawID: raw, taskID: taskID, filename: filename, sizeBytes: size, mimeType: mimeType, sha256: sha256,
            uploadedAt: uploadedAt, uploadedBy: UserID(uploadedBy))
    }
}
