import Foundation
package import JSON
package import TaskStore

/// The task engine: owns every task, validates every change, journals it, and answers every query.
///
/// All state lives in one ``EngineState`` value inside this actor. A mutation validates, builds its event,
/// appends the event to the store, and only then applies it, all without suspending, so no other call
/// can interleave and a refused append leaves nothing changed. Reads answer from memory.
package actor Engine {
    let store: any Store
    let clock: any TimeSource
    /// Expands user ids (the assignee) into names and avatars: the engine's own users unless one was injected.
    package nonisolated let directory: any UserDirectory
    /// The engine's users as a lock-protected copy, so `directory` answers without entering the actor.
    let profiles: UserProfiles
    private let snapshotThreshold: Int
    var state: EngineState
    /// Hands committed events to subscribers once they are durable, in commit order.
    package nonisolated let feed: EventFeed
    /// What recovery had to tell the operator (a truncated torn tail, a fallback snapshot), for the log.
    package nonisolated let recoveryWarnings: [String]
    /// The largest attachment accepted, in decoded bytes (`--max-attachment-bytes`).
    package nonisolated let maxAttachmentBytes: Int
    /// Where blob reads, writes and deletes run, in submission order (see ``BlobQueue``).
    let blobQueue = BlobQueue()
    /// Where text searches run, one at a time, off the actor (see ``SearchWorker``).
    let searches = SearchWorker()
    /// Uploads between their blob write and their commit, by blob key, so a reclaim never deletes their bytes.
    var pendingBlobs: [String: Int] = [:]
    /// The due-date scheduler's plan and timer (see ``startScheduler()``).
    var dueScheduler = DueScheduler()

    private init(
        store: any Store, clock: any TimeSource, directory: (any UserDirectory)?, snapshotThreshold: Int,
        maxAttachmentBytes: Int, reminderLeadSeconds: Int64?, state: EngineState, recoveryWarnings: [String] = []
    ) {
        self.recoveryWarnings = recoveryWarnings
        self.maxAttachmentBytes = maxAttachmentBytes
        self.store = store
        self.clock = clock
        let profiles = UserProfiles(state.identity.allUsers)
        self.profiles = profiles
        self.directory = directory ?? profiles
        self.snapshotThreshold = max(1, snapshotThreshold)
        self.state = state
        self.state.defaultReminderLeadSeconds = reminderLeadSeconds
        self.feed = EventFeed(published: state.lastSeq)
    }

    /// Recovers the engine from a store: loads the newest snapshot, then replays every record after it.
    ///
    /// Blobs that no attachment of a live task refers to (left by a crash between an upload's blob write
    /// and its commit, or before a reclaim) are deleted here, blocking, before the engine serves.
    ///
    /// - Parameters:
    ///   - snapshotThreshold: take a snapshot once this many records follow the previous one.
    ///   - maxAttachmentBytes: the largest attachment accepted, in decoded bytes.
    ///   - reminderLeadSeconds: how long before a due date `task_due_soon` fires (`nil` or 0: never); see
    ///     ``EngineState/reminderLeadSeconds(for:)``. Nothing fires before ``startScheduler()``.
    /// - Throws: ``EngineError/unavailable(_:)`` when the store cannot be read, ``EngineError/damaged(_:)``
    ///   when a snapshot or record cannot be understood.
    package static func open(
        store: any Store, clock: any TimeSource = SystemTimeSource(),
        directory: (any UserDirectory)? = nil, snapshotThreshold: Int = 100_000,
        maxAttachmentBytes: Int = CollaborationLimits.defaultAttachmentBytes,
        reminderLeadSeconds: Int64? = Engine.standardReminderLeadSeconds
    ) throws(EngineError) -> Engine {
        let recovered: RecoveredState
        do { recovered = try store.recover() } catch { throw .unavailable(error) }
        var state = EngineState()
        if let snapshot = recovered.snapshot { state = try EngineState(snapshot: snapshot) }
        for record in recovered.records {
            // A record is one event or a group committed together (see ``JournalRecord``).
            for (event, bytes) in try JournalRecord.events(in: record) { try state.apply(event, bytes: bytes) }
        }
        if recovered.snapshotBeforeServing {
            // An earlier snapshot of this journal never completed (a crash loop): write it before serving,
            // or each crash would leave a longer journal to replay. A failure is reported by the store, and
            // the journal still holds everything.
            try? store.writeRecoverySnapshot(state.snapshotBytes())
        }
        reclaimOrphanBlobs(store: store, state: state)
        return Engine(
            store: store, clock: clock, directory: directory, snapshotThreshold: snapshotThreshold,
            maxAttachmentBytes: maxAttachmentBytes, reminderLeadSeconds: reminderLeadSeconds, state: state,
            recoveryWarnings: recovered.warnings)
    }

    /// Builds an engine from an ``exportDocument()`` or ``exportArchive()`` into an empty store, and writes it
    /// there as a snapshot. The archive's blobs are written (blocking) before the state, and every live
    /// attachment's bytes must be in the document or already in the store.
    ///
    /// - Throws: ``EngineError/damaged(_:)`` when the document is not a valid export or the store is not
    ///   empty.
    package static func importDocument(
        _ document: JSONValue, into store: any Store, clock: any TimeSource = SystemTimeSource(),
        directory: (any UserDirectory)? = nil, snapshotThreshold: Int = 100_000,
        maxAttachmentBytes: Int = CollaborationLimits.defaultAttachmentBytes,
        reminderLeadSeconds: Int64? = Engine.standardReminderLeadSeconds
    ) throws(EngineError) -> Engine {
        let recovered: RecoveredState
        do { recovered = try store.recover() } catch { throw .unavailable(error) }
        guard recovered.snapshot == nil, recovered.records.isEmpty else {
            throw .unavailable(
                StoreError(code: .io, message: "The data directory is not empty; import needs an empty one"))
        }
        let state = try EngineState(document: document)
        try importBlobs(document, state: state, into: store)
        do { try store.writeInitialSnapshot(state.snapshotBytes()) } catch { throw .unavailable(error) }
        return Engine(
            store: store, clock: clock, directory: directory, snapshotThreshold: snapshotThreshold,
            maxAttachmentBytes: maxAttachmentBytes, reminderLeadSeconds: reminderLeadSeconds, state: state)
    }

    // MARK: Committing

    /// Journals an event of any domain, then applies it. A refused append changes nothing.
    func commitChange(_ event: Event) throws(EngineError) -> (EngineState.Change, CommitTicket) {
        let change = try state.prepare(event)
        let bytes = event.bytes
        let ticket: CommitTicket
        do { ticket = try store.append(bytes) } catch { throw .unavailable(error) }
        state.commit(change, of: event, bytes: bytes)
        if case .identity(let identity) = change { didCommitIdentity(identity) }
        feed.committed(event, task: change.task, ticket: ticket)
        if let task = change.task { planReminder(for: task) }
        didCommit(event)
        return (change, ticket)
    }

    /// Journals an event of a task (tasks or collaboration), then applies it; returns the task it leaves.
    ///
    /// The `task_event` automations the change fires commit in the same record (see ``commitGroup(_:)``).
    func commit(_ event: Event) throws(EngineError) -> (TaskItem, CommitTicket) {
        let (changes, ticket) = try commitGroup([event])
        guard let task = changes.first?.task else {
            preconditionFailure("event \(event.seq) is not an event of a task")
        }
        return (task, ticket)
    }

    /// Asks the store for a snapshot when one is due after a commit.
    func didCommit(_ event: Event) {
        // The store's own policy counts journal bytes too, so large records cannot grow the journal unbounded.
        // A refused request (one is running) is simply asked again after a later change.
        if store.recordsSinceSnapshot >= snapshotThreshold || store.snapshotDue {
            // A copy-on-write copy: encoding it on the store's thread never sees later changes.
            let copy = state
            store.snapshot { copy.snapshotBytes() }
        }
    }

    // MARK: Events

    /// The newest committed `seq` (0 before the first change).
    package var lastSeq: UInt64 { state.lastSeq }

    /// Up to `limit` events with `seq` greater than `after`, oldest first: the event feed's catch-up read.
    package func events(after seq: UInt64, limit: Int) throws(EngineError) -> [Event] {
        guard limit > 0, seq < state.lastSeq else { return [] }
        var events: [Event] = []
        // Computed without overflow: `limit` comes from clients and may be huge.
        let end = Int(seq) + min(limit, Int(state.lastSeq - seq))
        for index in Int(seq)..<end {
            events.append(try Event(bytes: Array(state.log.bytes(at: index))))
        }
        return events
    }

    /// A stream of every event committed from now on, in `seq` order, each once it is durable; it ends when
    /// the caller stops iterating. Pair with ``events(after:limit:)`` to catch up first.
    package nonisolated func subscribe() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        let feed = self.feed
        let (token, _) = feed.listen { commits in
            for commit in commits { continuation.yield(commit.event) }
        }
        continuation.onTermination = { _ in feed.stopListening(token) }
        return stream
    }

    // MARK: Export

    /// Everything the engine holds as one stable JSON document (see docs/tasks.md, "Export format").
    package func exportDocument() -> JSONValue { state.exportDocument() }

    /// The number of live tasks.
    package var taskCount: Int { state.tasks.liveCount }
}
