/// Comments and attachment metadata of every task, part of ``EngineState``.
///
/// Watchers and the two counters live on ``TaskItem`` itself; this holds what does not fit a task row.
/// Comments and attachments of deleted tasks are kept (exports and snapshots carry them), but their bytes
/// are no longer referenced, so the blobs can be reclaimed.
struct CollaborationState: Sendable {
    /// A change a collaboration event makes besides the task's own counters and watchers.
    enum Change: Sendable {
        case addComment(TaskComment)
        case addAttachment(TaskAttachment)
        case deleteAttachment(TaskAttachment)
    }

    /// Comments by task slot, oldest first.
    private(set) var commentsBySlot: [Int32: [TaskComment]] = [:]
    private(set) var commentCount = 0
    /// Attachment metadata by raw id.
    private(set) var attachments: [UInt64: TaskAttachment] = [:]
    /// Attachment raw ids by task slot, oldest first.
    private(set) var attachmentsBySlot: [Int32: [UInt64]] = [:]
    /// How many attachments of live tasks use each blob key; a key at zero can be reclaimed.
    private(set) var references: [String: Int] = [:]
    var commentIDs = TaskIDGenerator()
    var attachmentIDs = TaskIDGenerator()

    /// The comments of a task, oldest first.
    func comments(ofSlot slot: Int32) -> [TaskComment] { commentsBySlot[slot] ?? [] }

    /// The attachments of a task, oldest first.
    func attachments(ofSlot slot: Int32) -> [TaskAttachment] {
        (attachmentsBySlot[slot] ?? []).compactMap { attachments[$0] }
    }

    /// An attachment by its wire id.
    func attachment(_ id: String) -> TaskAttachment? {
        CollaborationID.raw(id, prefix: CollaborationID.attachmentPrefix).flatMap { attachments[$0] }
    }

    /// Whether any attachment of a live task uses the blob.
    func isReferenced(_ key: String) -> Bool { references[key, default: 0] > 0 }

    /// Every blob key an attachment of a live task uses.
    var referencedKeys: Set<String> { Set(references.keys) }

    /// Applies a committed change of the task in `slot`.
    mutating func apply(_ change: Change, slot: Int32) {
        switch change {
        case .addComment(let comment):
            commentsBySlot[slot, default: []].append(comment)
            commentCount += 1
            commentIDs.observe(comment.rawID)
        case .addAttachment(let attachment):
            insert(attachment, slot: slot, live: true)
        case .deleteAttachment(let attachment):
            attachments[attachment.rawID] = nil
            attachmentsBySlot[slot]?.removeAll { $0 == attachment.rawID }
            release(attachment.sha256)
        }
    }

    /// Adds an attachment (a live upload, or one read from a snapshot); `live` counts its blob as used.
    mutating func insert(_ attachment: TaskAttachment, slot: Int32, live: Bool) {
        attachments[attachment.rawID] = attachment
        attachmentsBySlot[slot, default: []].append(attachment.rawID)
        attachmentIDs.observe(attachment.rawID)
        if live { references[attachment.sha256, default: 0] += 1 }
    }

    /// Adds a comment read from a snapshot.
    mutating func insert(_ comment: TaskComment, slot: Int32) {
        apply(.addComment(comment), slot: slot)
    }

    /// The task in `slot` was deleted: its attachments keep their metadata but no longer hold their blobs.
    mutating func releaseTask(slot: Int32) {
        for attachment in attachments(ofSlot: slot) { release(attachment.sha256) }
    }

    /// The blob keys a task's attachments use.
    func blobKeys(ofSlot slot: Int32) -> [String] { attachments(ofSlot: slot).map(\.sha256) }

    private mutating func release(_ key: String) {
        let remaining = references[key, default: 0] - 1
        references[key] = remaining > 0 ? remaining : nil
    }
}
