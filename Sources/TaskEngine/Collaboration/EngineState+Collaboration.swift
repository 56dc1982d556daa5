import JSON

extension EngineState {
    // MARK: Applying collaboration events

    /// Checks a collaboration event (comment, attachment, watcher) and computes its effect, changing nothing.
    ///
    /// Collaboration events leave the task's `version` and `updated_at` alone, so an `if_version` guard on
    /// the task's fields is never broken by someone commenting; the event records the version it saw.
    func prepareCollaboration(_ event: Event, raw: UInt64) throws(EngineError) -> PreparedChange {
        guard let slot = slotsByID[raw], !tasks[Int(slot)].isDeleted else {
            throw .damaged("event \(event.seq) changes a task that does not exist")
        }
        let old = tasks[Int(slot)]
        guard event.version == old.version else {
            throw .damaged("event \(event.seq) records version \(event.version) of \(event.taskID) at \(old.version)")
        }
        guard let subject = event.subject else {
            throw .damaged("event \(event.seq) lacks its \(event.type.subjectKey ?? "subject")")
        }
        var task = old
        var change: CollaborationState.Change?
        switch event.type {
        case .commentAdded:
            let comment = try TaskComment(json: subject)
            guard comment.taskID == event.taskID, comment.rawID > collaboration.commentIDs.last else {
                throw .damaged("event \(event.seq) adds a comment that does not fit its task")
            }
            task.commentsCount += 1
            change = .addComment(comment)
        case .attachmentAdded:
            let attachment = try TaskAttachment(json: subject)
            guard attachment.taskID == event.taskID, attachment.rawID > collaboration.attachmentIDs.last else {
                throw .damaged("event \(event.seq) adds an attachment that does not fit its task")
            }
            task.attachmentsCount += 1
            change = .addAttachment(attachment)
        case .attachmentDeleted:
            guard let id = subject["attachment_id"]?.stringValue, let attachment = collaboration.attachment(id),
                attachment.taskID == event.taskID
            else { throw .damaged("event \(event.seq) deletes an attachment that does not exist") }
            task.attachmentsCount -= 1
            change = .deleteAttachment(attachment)
        case .watcherAdded:
            guard let user = subject.stringValue, !task.watchers.contains(user) else {
                throw .damaged("event \(event.seq) adds a watcher that is already watching")
            }
            task.watchers.append(user)
        case .watcherRemoved:
            guard let user = subject.stringValue, let index = task.watchers.firstIndex(of: user) else {
                throw .damaged("event \(event.seq) removes a watcher that is not watching")
            }
            task.watchers.remove(at: index)
        case .taskCreated, .taskAssigned, .taskUpdated, .taskCompleted, .taskDeleted, .userUpserted, .tokenCreated,
            .tokenRevoked:
            throw .damaged("event \(event.seq) is not a collaboration event")
        }
        return PreparedChange(slot: slot, old: old, new: task, collaboration: change)
    }

    // MARK: Snapshots and exports

    /// Every comment in task creation order, oldest first within a task, in their stored form.
    func commentsJSON() -> [JSONValue] {
        collaboration.commentsBySlot.keys.sorted().flatMap { slot in
            collaboration.comments(ofSlot: slot).map(\.json)
        }
    }

    /// Every attachment's metadata in id (upload) order, deleted tasks' included.
    func attachmentsJSON() -> [JSONValue] {
        collaboration.attachments.keys.sorted().compactMap { collaboration.attachments[$0]?.json }
    }

    /// Restores comments and attachments from a snapshot, after its tasks, and checks them against the
    /// tasks' counters.
    mutating func loadCollaboration(
        comments: some Sequence<JSONObject>, attachments: some Sequence<JSONObject>
    ) throws(EngineError) {
        for object in comments {
            let comment = try TaskComment(json: .object(object))
            guard let slot = slot(of: comment.taskID) else {
                throw .damaged("comment \(comment.id) belongs to no task")
            }
            collaboration.insert(comment, slot: slot)
        }
        for object in attachments {
            let attachment = try TaskAttachment(json: .object(object))
            guard let slot = slot(of: attachment.taskID), collaboration.attachments[attachment.rawID] == nil else {
                throw .damaged("attachment \(attachment.id) belongs to no task or appears twice")
            }
            collaboration.insert(attachment, slot: slot, live: !tasks[Int(slot)].isDeleted)
        }
        for (slot, task) in tasks.enumerated() {
            let slot = Int32(slot)
            guard collaboration.comments(ofSlot: slot).count == task.commentsCount,
                collaboration.attachments(ofSlot: slot).count == task.attachmentsCount
            else { throw .damaged("the comments or attachments of task \(task.id) do not match its counts") }
        }
    }

    /// Checks that the comments and attachments an export document lists are the ones its events rebuilt.
    func verifyCollaboration(_ document: JSONObject) throws(EngineError) {
        if let comments = document["comments"], comments != .array(commentsJSON()) {
            throw .damaged("the document's comments do not match its events")
        }
        if let attachments = document["attachments"], attachments != .array(attachmentsJSON()) {
            throw .damaged("the document's attachments do not match its events")
        }
    }
}
