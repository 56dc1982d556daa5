import JSON

/// All task state, as one value: the actor ``Engine`` owns one, and a snapshot captures a copy of it.
///
/// Every change goes through ``apply(_:bytes:)`` — live mutations and journal replay alike — so a replayed
/// engine is the same as the one that wrote the journal.
struct EngineState: Sendable {
    /// What an idempotency key remembers: the task it created and the params it was created with.
    struct IdempotencyRecord: Sendable, Equatable {
        var slot: Int32
        var fingerprint: String
    }

    /// A change checked against the state, ready to be committed without failing.
    struct PreparedChange: Sendable {
        /// The task's slot; `nil` for a creation.
        var slot: Int32?
        var old: TaskItem?
        var new: TaskItem
        /// The comment or attachment a collaboration event adds or removes.
        var collaboration: CollaborationState.Change? = nil
    }

    /// Every task ever created, deleted ones included, by slot (creation order). Chunked, so the copy a
    /// snapshot takes does not make the next change duplicate a million tasks.
    private(set) var tasks = ChunkedArray<TaskItem>()
    private(set) var slotsByID: [UInt64: Int32] = [:]
    private(set) var indexes = TaskIndexes()
    private(set) var log = EventLog()
    /// Keyed by ``idempotencyKey(user:key:)``.
    private(set) var idempotency: [String: IdempotencyRecord] = [:]
    var ids = TaskIDGenerator()
    /// Users and tokens; changed only by identity events (see `EngineState+Identity.swift`).
    var identity = IdentityState()
    /// The newest event's `seq` (0 before the first).
    private(set) var lastSeq: UInt64 = 0
    /// The newest event's time, so event times never go backwards.
    private(set) var lastEventAt = Timestamp.minimum
    /// Comments and attachments (see `EngineState+Collaboration.swift`).
    var collaboration = CollaborationState()

    /// The number of live tasks.
    var liveCount: Int { indexes.live.count }

    /// The dictionary key of a user's idempotency key.
    static func idempotencyKey(user: String, key: String) -> String { user + "\u{1F}" + key }

    /// The slot of a task id, live or deleted.
    func slot(of id: String) -> Int32? {
        guard let raw = TaskID.raw(id) else { return nil }
        return slotsByID[raw]
    }

    /// A live task and its slot.
    func liveTask(_ id: String) throws(EngineError) -> (slot: Int32, task: TaskItem) {
        guard let slot = slot(of: id), !tasks[Int(slot)].isDeleted else { throw .taskNotFound(id) }
        return (slot, tasks[Int(slot)])
    }

    /// The task in a slot.
    func task(at slot: Int32) -> TaskItem { tasks[Int(slot)] }

    /// An idempotency key's record.
    func idempotencyRecord(user: String, key: String) -> IdempotencyRecord? {
        idempotency[Self.idempotencyKey(user: user, key: key)]
    }

    /// The time the next event gets: now, but never before the previous event.
    func eventTime(now: Timestamp) -> Timestamp { max(now, lastEventAt) }

    // MARK: Applying events

    /// Checks an event against the state and computes the task it produces, changing nothing.
    func prepare(_ event: Event) throws(EngineError) -> PreparedChange {
        guard event.seq == lastSeq + 1 else {
            throw .damaged("event \(event.seq) follows event \(lastSeq)")
        }
        guard let raw = TaskID.raw(event.taskID) else { throw .damaged("event \(event.seq) has a bad task id") }
        if event.type.isCollaboration { return try prepareCollaboration(event, raw: raw) }
        var task: TaskItem
        let slot: Int32?
        if event.type == .taskCreated {
            guard slotsByID[raw] == nil else { throw .damaged("event \(event.seq) creates an existing task") }
            guard event.version == 1 else {
                throw .damaged("event \(event.seq) creates a task at a version other than 1")
            }
            slot = nil
            task = TaskItem(rawID: raw, title: "", createdAt: event.at, createdBy: event.actor)
        } else {
            guard let existing = slotsByID[raw], !tasks[Int(existing)].isDeleted else {
                throw .damaged("event \(event.seq) changes a task that does not exist")
            }
            slot = existing
            task = tasks[Int(existing)]
            guard event.version == task.version + 1 else {
                throw .damaged("event \(event.seq) skips a version of \(event.taskID)")
            }
        }
        let old = slot.map { tasks[Int($0)] }
        for member in event.changes.members {
            guard let field = TaskField(rawValue: member.key), let new = member.value["new"],
                field.set(new, in: &task)
            else { throw .damaged("event \(event.seq) has a bad change to \(member.key)") }
        }
        task.version = event.version
        task.updatedAt = event.at
        if event.type == .taskDeleted { task.isDeleted = true }
        return PreparedChange(slot: slot, old: old, new: task)
    }

    /// Commits a prepared change; cannot fail.
    mutating func commit(_ change: PreparedChange, of event: Event, bytes: some Collection<UInt8>) {
        let slot: Int32
        if let existing = change.slot, let old = change.old {
            slot = existing
            if change.new.isDeleted {
                indexes.remove(old, at: slot)
            } else {
                indexes.update(from: old, to: change.new, at: slot)
            }
            tasks[Int(slot)] = change.new
            if let collaborationChange = change.collaboration { collaboration.apply(collaborationChange, slot: slot) }
            if change.new.isDeleted { collaboration.releaseTask(slot: slot) }
        } else {
            slot = Int32(tasks.count)
            tasks.append(change.new)
            slotsByID[change.new.rawID] = slot
            ids.observe(change.new.rawID)
            indexes.insert(change.new, at: slot)
            if let key = event.idempotencyKey, let fingerprint = event.fingerprint {
                idempotency[Self.idempotencyKey(user: event.actor, key: key)] = IdempotencyRecord(
                    slot: slot, fingerprint: fingerprint)
            }
        }
        log.append(bytes, slot: slot)
        lastSeq = event.seq
        lastEventAt = max(lastEventAt, event.at)
    }

    /// Records an event that belongs to no task (identity events): in `seq` order, in no task's history.
    mutating func commitUnattached(_ event: Event, bytes: some Collection<UInt8>) {
        log.append(bytes, slot: -1)
        lastSeq = event.seq
        lastEventAt = max(lastEventAt, event.at)
    }

    /// Prepares and commits an event (journal replay).
    mutating func apply(_ event: Event, bytes: some Collection<UInt8>) throws(EngineError) {
        if event.type.isIdentity {
            try applyIdentity(event, bytes: bytes)
            return
        }
        let change = try prepare(event)
        commit(change, of: event, bytes: bytes)
    }

    // MARK: Loading whole states

    /// Adds a task read from a snapshot or import, with its history, without any event.
    mutating func load(task: TaskItem) throws(EngineError) -> Int32 {
        guard slotsByID[task.rawID] == nil else { throw .damaged("task \(task.id) appears twice") }
        if let previous = tasks.last,
            (task.createdAt, task.rawID) < (previous.createdAt, previous.rawID)
        {
            throw .damaged("tasks are not in creation order at \(task.id)")
        }
        let slot = Int32(tasks.count)
        tasks.append(task)
        slotsByID[task.rawID] = slot
        ids.observe(task.rawID)
        if !task.isDeleted { indexes.insert(task, at: slot) }
        return slot
    }

    /// Adds an event's bytes to the log without applying it (its effect is already in the loaded tasks).
    mutating func load(eventBytes bytes: some Collection<UInt8>, seq: UInt64, slot: Int32) throws(EngineError) {
        guard seq == lastSeq + 1 else { throw .damaged("event \(seq) follows event \(lastSeq)") }
        log.append(bytes, slot: slot)
        lastSeq = seq
    }

    /// Restores an idempotency key.
    mutating func load(idempotencyKey key: String, user: String, record: IdempotencyRecord) {
        idempotency[Self.idempotencyKey(user: user, key: key)] = record
    }

    /// Sets the newest event time directly (snapshots carry it).
    mutating func load(lastEventAt time: Timestamp) {
        lastEventAt = max(lastEventAt, time)
    }
}
