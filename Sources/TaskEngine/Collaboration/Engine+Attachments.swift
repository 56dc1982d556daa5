package import JSON
import TaskStore

extension Engine {
    /// The decoded bytes of an upload with their blob key and MIME type, computed on the blob thread.
    private struct DecodedContent: Sendable {
        var bytes: [UInt8]
        var key: String
        var mimeType: String
    }

    /// Uploads an attachment to a live task.
    ///
    /// The bytes are decoded, hashed and typed on the blob thread, stored under their SHA-256 (deduplicated,
    /// fsync'd) and only then is the metadata journaled, so a journaled attachment always has its bytes. A
    /// failed blob write is ``EngineError/unavailable(_:)`` with nothing recorded; bytes written for an
    /// upload that then fails are reclaimed unless something else uses them.
    package func uploadAttachment(
        _ input: NewAttachment, by caller: Caller
    ) async throws(EngineError)
        -> Committed<TaskAttachment>
    {
        let (_, task) = try state.tasks.liveTask(input.taskID)
        try authorize(.attach, caller, task: task)
        let filename = try CollaborationValidator.filename(input.filename)
        let declaredType = try input.mimeType.map(MediaType.validate)
        let limit = maxAttachmentBytes
        // Refuses oversized content before decoding it; padding makes the bound up to two bytes high.
        guard Base64.maximumDecodedCount(forEncodedCount: input.contentBase64.utf8.count) - 2 <= limit else {
            throw .tooLarge(field: "content_base64", limit: limit)
        }
        let text = input.contentBase64
        let decoded = await blobQueue.run { () -> DecodedContent? in
            guard let bytes = Base64.decode(text) else { return nil }
            return DecodedContent(
                bytes: bytes, key: SHA256.hexDigest(bytes), mimeType: declaredType ?? MediaType.detect(bytes))
        }
        guard let decoded else {
            throw .invalid(
                "content_base64",
                "Field content_base64 must be canonical base64: A-Z, a-z, 0-9, + and /, padded with =, no whitespace."
            )
        }
        guard decoded.bytes.count <= limit else { throw .tooLarge(field: "content_base64", limit: limit) }
        // Other calls ran while this one waited: the task may be gone.
        try authorize(.attach, caller, task: try state.tasks.liveTask(input.taskID).task)
        let key = decoded.key
        pendingBlobs[key, default: 0] += 1
        let store = self.store
        let bytes = decoded.bytes
        let failure = await blobQueue.run { () -> StoreError? in
            do throws(StoreError) {
                try store.putBlob(key: key, bytes: bytes)
                return nil
            } catch {
                return error
            }
        }
        pendingBlobs[key, default: 1] -= 1
        if pendingBlobs[key] == 0 { pendingBlobs[key] = nil }
        do throws(EngineError) {
            if let failure { throw .unavailable(failure) }
            let (_, task) = try state.tasks.liveTask(input.taskID)
            try authorize(.attach, caller, task: task)
            let at = state.eventTime(now: clock.now())
            var ids = state.collaboration.attachmentIDs
            let attachment = TaskAttachment(
                rawID: ids.next(at: at), taskID: task.id, filename: filename, sizeBytes: bytes.count,
                mimeType: decoded.mimeType, sha256: key, uploadedAt: at, uploadedBy: caller.user)
            let count = task.attachmentsCount
            let event = Event(
                seq: state.lastSeq + 1, type: .attachmentAdded, at: at, actor: caller.user, agent: caller.agent,
                subject: .task(task.id), version: task.version,
                changes: ["attachments_count": ["old": .int(count), "new": .int(count + 1)]],
                detail: attachment.json
            )
            let (_, ticket) = try commit(event)
            return Committed(attachment, ticket: ticket)
        } catch {
            reclaimBlobs([key])
            throw error
        }
    }

    /// Every attachment of a live task, oldest first.
    package func attachments(_ taskID: TaskID, for caller: Caller = .system) throws(EngineError) -> AttachmentList {
        let (slot, task) = try state.tasks.liveTask(taskID)
        try authorize(.read, caller, task: task)
        return AttachmentList(taskID: task.id, attachments: state.collaboration.attachments(of: task))
    }

    /// An attachment's metadata and bytes; the bytes are read on the blob thread.
    package func attachmentContent(
        _ id: AttachmentID, for caller: Caller = .system
    ) async throws(EngineError)
        -> AttachmentContent
    {
        let (attachment, task) = try liveAttachment(id)
        try authorize(.read, caller, task: task)
        let store = self.store
        let key = attachment.sha256
        let read = await blobQueue.run { () -> Result<String?, StoreError> in
            Result { () throws(StoreError) in try store.blob(key: key).map(Base64.encode) }
        }
        switch read {
        case .failure(let error): throw .unavailable(error)
        case .success(let content?): return AttachmentContent(attachment: attachment, contentBase64: content)
        case .success(nil):
            // A deletion may have completed while this read waited.
            _ = try liveAttachment(id)
            throw .damaged("the bytes of attachment \(id) are missing")
        }
    }

    /// Deletes an attachment. The reply comes once the deletion is durable and the bytes, when no other
    /// attachment uses them, are gone from the store.
    package func deleteAttachment(
        _ id: AttachmentID, by caller: Caller
    ) async throws(EngineError)
        -> Committed<DeletedAttachment>
    {
        let (attachment, task) = try liveAttachment(id)
        try authorize(.attach, caller, task: task)
        let count = task.attachmentsCount
        let event = Event(
            seq: state.lastSeq + 1, type: .attachmentDeleted, at: state.eventTime(now: clock.now()),
            actor: caller.user, agent: caller.agent, subject: .task(task.id), version: task.version,
            changes: ["attachments_count": ["old": .int(count), "new": .int(count - 1)]],
            detail: attachment.json
        )
        let (_, ticket) = try commit(event)
        // The bytes must outlive any crash before the deletion is on disk.
        do { try await ticket.wait() } catch { throw .unavailable(error) }
        await reclaimBlobsAndWait([attachment.sha256])
        return Committed(DeletedAttachment(attachmentID: attachment.id, taskID: task.id), ticket: .durable)
    }

    /// ``exportDocument()`` plus `blobs`: the bytes of every live attachment once, base64, keyed by their
    /// SHA-256. This is what an export file holds; ``importDocument(_:into:clock:directory:snapshotThreshold:maxAttachmentBytes:)``
    /// writes the blobs back before the state.
    package func exportArchive() async throws(EngineError) -> JSONValue {
        guard case .object(var document) = state.exportDocument() else { return .null }
        let keys = state.collaboration.referencedKeys.sorted()
        let store = self.store
        let blobs = await blobQueue.run { () -> Result<JSONObject, EngineError> in
            var blobs = JSONObject()
            for key in keys {
                do throws(StoreError) {
                    guard let bytes = try store.blob(key: key) else {
                        return .failure(.damaged("the bytes of blob \(key) are missing"))
                    }
                    blobs.append(key, .string(Base64.encode(bytes)))
                } catch {
                    return .failure(.unavailable(error))
                }
            }
            return .success(blobs)
        }
        document.append("blobs", .object(try blobs.get()))
        return .object(document)
    }

    // MARK: Reclaiming bytes

    /// An attachment of a live task, and the task.
    private func liveAttachment(_ id: AttachmentID) throws(EngineError) -> (TaskAttachment, TaskItem) {
        guard let attachment = state.collaboration.attachment(id), let slot = state.tasks.slot(of: attachment.taskID)
        else { throw .attachmentNotFound(id.description) }
        let task = state.tasks.task(at: slot)
        guard !task.isDeleted else { throw .attachmentNotFound(id.description) }
        return (attachment, task)
    }

    /// Queues the deletion of every blob among `keys` that no attachment of a live task uses and no upload
    /// is writing. Failures are left to the start-up sweep.
    func reclaimBlobs(_ keys: [String]) {
        let unreferenced = unreferencedBlobs(keys)
        guard !unreferenced.isEmpty else { return }
        let store = self.store
        blobQueue.submit { for key in unreferenced { try? store.deleteBlob(key: key) } }
    }

    /// ``reclaimBlobs(_:)``, returning once the deletions have run.
    func reclaimBlobsAndWait(_ keys: [String]) async {
        let unreferenced = unreferencedBlobs(keys)
        guard !unreferenced.isEmpty else { return }
        let store = self.store
        await blobQueue.run { for key in unreferenced { try? store.deleteBlob(key: key) } }
    }

    /// The keys no attachment of a live task uses and no upload is writing. The caller queues their deletion
    /// before the actor can run anything else, which is what keeps a concurrent upload of the same bytes
    /// safe (see ``BlobQueue``).
    private func unreferencedBlobs(_ keys: [String]) -> [String] {
        Set(keys).filter { !state.collaboration.isReferenced($0) && pendingBlobs[$0] == nil }.sorted()
    }

    /// Reclaims `keys` once `ticket` reports the change that released them durable; never when it fails.
    func reclaimBlobs(_ keys: [String], after ticket: CommitTicket) {
        guard !keys.isEmpty else { return }
        Task {
            do { try await ticket.wait() } catch { return }
            self.reclaimBlobs(keys)
        }
    }

    /// Deletes blobs no attachment of a live task refers to: bytes of uploads that crashed before their
    /// commit, or of deletions that crashed before their reclaim. Runs at start-up, before anything else
    /// can use the store, and blocks; a failure leaves the blobs for the next start.
    static func reclaimOrphanBlobs(store: any Store, state: EngineState) {
        // A read node's memory may be behind the writer's, so what looks unreferenced may be in use; the writer
        // sweeps when it starts.
        if (store as? any FollowingStore)?.isFollowing == true { return }
        guard let keys = try? store.blobKeys() else { return }
        let referenced = state.collaboration.referencedKeys
        for key in keys where !referenced.contains(key) { try? store.deleteBlob(key: key) }
    }

    /// Writes the blobs of an archive (``exportArchive()``) into the store, checking each against its
    /// digest, and makes sure every live attachment has its bytes. Blocking; runs during an import.
    static func importBlobs(_ document: JSONValue, state: EngineState, into store: any Store) throws(EngineError) {
        let embedded = document["blobs"]?.objectValue ?? [:]
        let stored: Set<String>
        do { stored = Set(try store.blobKeys()) } catch { throw .unavailable(error) }
        for key in state.collaboration.referencedKeys.sorted() {
            guard let value = embedded[key] else {
                guard stored.contains(key) else { throw .damaged("the document lacks the bytes of blob \(key)") }
                continue
            }
            guard let text = value.stringValue, let bytes = Base64.decode(text), SHA256.hexDigest(bytes) == key else {
                throw .damaged("the bytes of blob \(key) do not match their digest")
            }
            do { try store.putBlob(key: key, bytes: bytes) } catch { throw .unavailable(error) }
        }
    }
}
