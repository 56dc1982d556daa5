import JSON

/// The collaboration domain: comments, attachment metadata and watchers of every task.
///
/// Watchers and the two counters live on ``TaskItem`` itself (the task's JSON carries them), but this
/// ledger decides their changes: a prepared change carries the task change it implies, which
/// ``EngineState`` hands to the tasks ledger. Comments and attachments of deleted tasks are kept (exports
/// and snapshots carry them), but their bytes are no longer referenced, so the blobs can be reclaimed.
/// Everything is keyed by the task's 64-bit id, so the ledger needs no task slots.
struct CollaborationLedger: Ledger {
    /// A checked collaboration event: the task's new counters or watchers, and what else it adds or removes.
    struct Change: Sendable {
        enum Item: Sendable {
            case addComment(TaskComment)
            case addAttachment(TaskAttachment)
            case deleteAttachment(TaskAttachment)
            case watcher
        }

        /// The task with its counters or watchers changed, for the tasks ledger.
        var task: TaskLedger.Change
        var item: Item
    }

    static let lineKinds: [SnapshotLine.Kind] = [.comment, .attachment]

    /// Comments by task id, oldest first.
    private(set) var commentsByTask: [UInt64: [TaskComment]] = [:]
    private(set) var commentCount = 0
    /// Attachment metadata by raw id.
    private(set) var attachments: [UInt64: TaskAttachment] = [:]
    /// Attachment raw ids by task id, oldest first.
    private(set) var attachmentsByTask: [UInt64: [UInt64]] = [:]
    /// How many attachments of live tasks use each blob key; a key at zero can be reclaimed.
    private(set) var references: [String: Int] = [:]
    var commentIDs = TaskIDGenerator()
    var attachmentIDs = TaskIDGenerator()

    /// The comments of a task, oldest first.
    func comments(of task: TaskItem) -> [TaskComment] { commentsByTask[task.rawID] ?? [] }

    /// The attachments of a task, oldest first.
    func attachments(of task: TaskItem) -> [TaskAttachment] { attachments(ofTask: task.rawID) }

    private func attachments(ofTask raw: UInt64) -> [TaskAttachment] {
        (attachmentsByTask[raw] ?? []).compactMap { attachments[$0] }
    }

    /// An attachment by its wire id.
    func attachment(_ id: AttachmentID) -> TaskAttachment? { attachments[id.raw] }

    /// Whether any attachment of a live task uses the blob.
    func isReferenced(_ key: String) -> Bool { references[key, default: 0] > 0 }

    /// Every blob key an attachment of a live task uses.
    var referencedKeys: Set<String> { Set(references.keys) }

    /// The blob keys a task's attachments use.
    func blobKeys(of task: TaskItem) -> [String] { attachments(of: task).map(\.sha256) }

    // MARK: Events

    /// Checks a collaboration event (comment, attachment, watcher) and computes its effect, changing nothing.
    ///
    /// Collaboration events leave the task's `version` and `updated_at` alone, so an `if_version` guard on
    /// the task's fields is never broken by someone commenting; the event records the version it saw.
    func prepare(_ event: Event, in state: EngineState) throws(EngineError) -> Change {
        guard let taskID = event.taskID, let slot = state.tasks.slot(of: taskID), !state.tasks.task(at: slot).isDeleted
        else {
            throw .damaged("event \(event.seq) changes a task that does not exist")
        }
        let old = state.tasks.task(at: slot)
        guard event.version == old.version else {
            throw .damaged("event \(event.seq) records version \(event.version) of \(taskID) at \(old.version)")
        }
        guard let detail = event.detail else {
            throw .damaged("event \(event.seq) lacks its \(event.type.detailKey ?? "detail")")
        }
        var task = old
        let item: Change.Item
        switch event.type {
        case .commentAdded:
            let comment = try TaskComment(json: detail)
            guard comment.taskID == taskID, comment.rawID > commentIDs.last else {
                throw .damaged("event \(event.seq) adds a comment that does not fit its task")
            }
            task.commentsCount += 1
            item = .addComment(comment)
        case .attachmentAdded:
            let attachment = try TaskAttachment(json: detail)
            guard attachment.taskID == taskID, attachment.rawID > attachmentIDs.last else {
                throw .damaged("event \(event.seq) adds an attachment that does not fit its task")
            }
            task.attachmentsCount += 1
            item = .addAttachment(attachment)
        case .attachmentDeleted:
            guard let id = detail["attachment_id"]?.stringValue.flatMap(AttachmentID.init),
                let attachment = attachment(id),
                attachment.taskID == taskID
            else { throw .damaged("event \(event.seq) deletes an attachment that does not exist") }
            task.attachmentsCount -= 1
            item = .deleteAttachment(attachment)
        case .watcherAdded:
            guard let user = detail.stringValue.map { UserID($0) }, !task.watchers.contains(user) else {
                throw .damaged("event \(event.seq) adds a watcher that is already watching")
            }
            task.watchers.append(user)
            item = .watcher
        case .watcherRemoved:
            guard let user = detail.stringValue.map { UserID($0) }, let index = task.watchers.firstIndex(of: user)
            else {
                throw .damaged("event \(event.seq) removes a watcher that is not watching")
            }
            task.watchers.remove(at: index)
            item = .watcher
        case .taskCreated, .taskAssigned, .taskUpdated, .taskCompleted, .taskDeleted, .taskOverdue, .taskDueSoon,
            .userUpserted, .tokenCreated,
            .tokenRevoked, .workflowCreated, .workflowUpdated, .workflowStepReady, .workflowCompleted,
            .workflowCancelled, .templateCreated, .templateUpdated, .templateDeleted,
            .automationCreated, .automationUpdated, .automationDeleted, .notificationConfigured, .notificationsRead,
            .notificationDelivered:
            throw .damaged("event \(event.seq) is not a collaboration event")
        }
        return Change(task: state.tasks.collaborationChange(slot: slot, new: task), item: item)
    }

    mutating func apply(_ change: Change, of event: Event) {
        let task = change.task.new.rawID
        switch change.item {
        case .addComment(let comment): insert(comment, task: task)
        case .addAttachment(let attachment): insert(attachment, task: task, live: true)
        case .deleteAttachment(let attachment):
            attachments[attachment.rawID] = nil
            attachmentsByTask[task]?.removeAll { $0 == attachment.rawID }
            release(attachment.sha256)
        case .watcher: break
        }
    }

    /// A deleted task's attachments keep their metadata but no longer hold their blobs.
    mutating func follow(_ event: Event) {
        guard event.type == .taskDeleted, let task = event.taskID?.raw else { return }
        for attachment in attachments(ofTask: task) { release(attachment.sha256) }
    }

    private mutating func insert(_ comment: TaskComment, task: UInt64) {
        commentsByTask[task, default: []].append(comment)
        commentCount += 1
        commentIDs.observe(comment.rawID)
    }

    /// Adds an attachment (a live upload, or one read from a snapshot); `live` counts its blob as used.
    private mutating func insert(_ attachment: TaskAttachment, task: UInt64, live: Bool) {
        attachments[attachment.rawID] = attachment
        attachmentsByTask[task, default: []].append(attachment.rawID)
        attachmentIDs.observe(attachment.rawID)
        if live { references[attachment.sha256, default: 0] += 1 }
    }

    private mutating func release(_ key: String) {
        let remaining = references[key, default: 0] - 1
        references[key] = remaining > 0 ? remaining : nil
    }

    // MARK: Snapshots

    /// Every comment in task creation order, oldest first within a task, in their stored form.
    private var commentsJSON: [JSONValue] {
        commentsByTask.keys.sorted().flatMap { task in (commentsByTask[task] ?? []).map(\.json) }
    }

    /// Every attachment's metadata in id (upload) order, deleted tasks' included.
    private var attachmentsJSON: [JSONValue] {
        attachments.keys.sorted().compactMap { attachments[$0]?.json }
    }

    func writeSnapshot(into writer: inout SnapshotWriter, state: EngineState) {
        for comment in commentsJSON { writer.write(.comment, comment.objectValue ?? [:]) }
        for attachment in attachmentsJSON { writer.write(.attachment, attachment.objectValue ?? [:]) }
    }

    /// Restores comments and attachments, after the tasks, and checks them against the tasks' counters.
    mutating func load(_ lines: [SnapshotLine.Kind: [SnapshotLine]], state: EngineState) throws(EngineError) {
        for line in lines[.comment] ?? [] {
            let comment = try TaskComment(json: .object(line.object()))
            guard let slot = state.tasks.slot(of: comment.taskID) else {
                throw .damaged("comment \(comment.id) belongs to no task")
            }
            insert(comment, task: state.tasks.task(at: slot).rawID)
        }
        for line in lines[.attachment] ?? [] {
            let attachment = try TaskAttachment(json: .object(line.object()))
            guard let slot = state.tasks.slot(of: attachment.taskID), attachments[attachment.rawID] == nil else {
                throw .damaged("attachment \(attachment.id) belongs to no task or appears twice")
            }
            let task = state.tasks.task(at: slot)
            insert(attachment, task: task.rawID, live: !task.isDeleted)
        }
        for task in state.tasks.tasks {
            guard comments(of: task).count == task.commentsCount,
                attachments(of: task).count == task.attachmentsCount
            else { throw .damaged("the comments or attachments of task \(task.id) do not match its counts") }
        }
    }

    // MARK: Export and import

    func export(into document: inout JSONObject, state: EngineState) {
        document.append("comments", .array(commentsJSON))
        document.append("attachments", .array(attachmentsJSON))
    }

    /// The comments and attachments an export document lists must be the ones its events rebuilt.
    mutating func importMembers(of document: JSONObject, state: EngineState) throws(EngineError) {
        if let comments = document["comments"], comments != .array(commentsJSON) {
            throw .damaged("the document's comments do not match its events")
        }
        if let attachments = document["attachments"], attachments != .array(attachmentsJSON) {
            throw .damaged("the document's attachments do not match its events")
        }
    }
}

extension SnapshotLine.Kind {
    static let comment = Self(rawValue: "comment")
    static let attachment = Self(rawValue: "attachment")
}
