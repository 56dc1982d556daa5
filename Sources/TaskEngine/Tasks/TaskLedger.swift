import JSON

/// The tasks domain: every task, its indexes, the idempotency keys of creations and the task id generator.
///
/// Tasks are kept by slot (creation order), deleted ones included, in a chunked array, so the copy a
/// snapshot takes does not make the next change duplicate a million tasks. Comment and attachment counters
/// and watchers live on ``TaskItem`` (the task's JSON carries them), but only the collaboration ledger
/// decides their changes: its change carries the task change it implies, which this ledger applies.
struct TaskLedger: Ledger {
    /// What an idempotency key remembers: the task it created and the params it was created with.
    struct IdempotencyRecord: Sendable, Equatable {
        var slot: Int32
        var fingerprint: String
    }

    /// A task change checked against the ledger, ready to be applied without failing.
    struct Change: Sendable {
        /// The task's slot; `nil` for a creation.
        var slot: Int32?
        var old: TaskItem?
        var new: TaskItem
    }

    static let lineKinds: [SnapshotLine.Kind] = [.task, .idempotencyKey]

    private(set) var tasks = ChunkedArray<TaskItem>()
    private(set) var slotsByID: [UInt64: Int32] = [:]
    private(set) var indexes = TaskIndexes()
    /// The grams of live tasks' titles and descriptions, for `tasks.list {q}` (``TextIndex``).
    private(set) var text = TextIndex()
    /// The running figures of `tasks.analytics`, over live tasks; derived, never in a snapshot.
    private(set) var analytics = AnalyticsAggregates()
    /// Keyed by ``idempotencyKey(user:key:)``.
    private(set) var idempotency: [String: IdempotencyRecord] = [:]
    var ids = TaskIDGenerator()
    /// `(seq, slot)` of every history entry of a snapshot's task lines, from ``load(_:state:)`` until the
    /// log takes them (``takeSnapshotHistory(eventCount:)``); empty otherwise.
    private var snapshotHistory: [(seq: Int, slot: Int32)] = []

    /// The number of live tasks.
    var liveCount: Int { indexes.live.count }

    /// The dictionary key of a user's idempotency key.
    static func idempotencyKey(user: UserID, key: String) -> String { user.text + "\u{1F}" + key }

    /// The slot of a task id, live or deleted.
    func slot(of id: TaskID) -> Int32? { slotsByID[id.raw] }

    /// A live task and its slot.
    func liveTask(_ id: TaskID) throws(EngineError) -> (slot: Int32, task: TaskItem) {
        guard let slot = slot(of: id), !tasks[Int(slot)].isDeleted else { throw .taskNotFound(id.description) }
        return (slot, tasks[Int(slot)])
    }

    /// The task in a slot.
    func task(at slot: Int32) -> TaskItem { tasks[Int(slot)] }

    /// Whether a live task is overdue (``TaskItem/isOverdue``): open, and `task_overdue` fired for its
    /// current due date. An unknown or deleted task is not.
    func isOverdue(_ id: TaskID) -> Bool {
        guard let slot = slot(of: id) else { return false }
        let task = tasks[Int(slot)]
        return !task.isDeleted && task.isOverdue
    }

    /// The number of live overdue tasks, kept as the tasks change (no scan).
    var overdueCount: Int { indexes.overdue.count }

    /// The slots of every live task with a due date, in due-date order.
    /// The slots of the live tasks assigned to `user`, ascending.
    func slots(assignedTo user: UserID) -> [Int32] {
        indexes.byAssignee[user]?.elements ?? []
    }

    func forEachSlotWithDueDate(_ body: (Int32) -> Void) {
        indexes.byDueDate.forEach { key in
            body(key.slot)
            return true
        }
    }

    /// An idempotency key's record.
    func idempotencyRecord(user: UserID, key: String) -> IdempotencyRecord? {
        idempotency[Self.idempotencyKey(user: user, key: key)]
    }

    // MARK: Events

    func prepare(_ event: Event, in state: EngineState) throws(EngineError) -> Change {
        guard let id = event.taskID else { throw .damaged("event \(event.seq) has no task id") }
        let raw = id.raw
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
            // The engine's due reminders change no field, so they keep the version.
            guard event.version == task.version + (event.type.isDueReminder ? 0 : 1) else {
                throw .damaged("event \(event.seq) skips a version of \(id)")
            }
        }
        let old = slot.map { tasks[Int($0)] }
        if event.type.isDueReminder, let slot {
            return Change(slot: slot, old: old, new: try DueReminder.mark(event, on: task))
        }
        for member in event.changes.members {
            guard let field = TaskField(rawValue: member.key), let new = member.value["new"],
                field.set(new, in: &task)
            else { throw .damaged("event \(event.seq) has a bad change to \(member.key)") }
        }
        task.version = event.version
        task.updatedAt = event.at
        if event.type == .taskDeleted { task.isDeleted = true }
        return Change(slot: slot, old: old, new: task)
    }

    /// A change of a live task's collaboration fields (counters, watchers) that the collaboration ledger
    /// decided: the same task at the same version, so no index but the task row changes.
    func collaborationChange(slot: Int32, new: TaskItem) -> Change {
        Change(slot: slot, old: tasks[Int(slot)], new: new)
    }

    mutating func apply(_ change: Change, of event: Event) {
        if let slot = change.slot, let old = change.old {
            if change.new.isDeleted {
                indexes.remove(old, at: slot)
                analytics.remove(old, at: slot)
                text.remove(old, at: slot)
            } else {
                indexes.update(from: old, to: change.new, at: slot)
                analytics.update(from: old, to: change.new, at: slot)
                text.update(from: old, to: change.new, at: slot)
            }
            tasks[Int(slot)] = change.new
            return
        }
        let slot = Int32(tasks.count)
        tasks.append(change.new)
        slotsByID[change.new.rawID] = slot
        ids.observe(change.new.rawID)
        indexes.insert(change.new, at: slot)
        analytics.insert(change.new, at: slot)
        text.insert(change.new, at: slot)
        if let key = event.idempotencyKey, let fingerprint = event.fingerprint {
            idempotency[Self.idempotencyKey(user: event.actor, key: key)] = IdempotencyRecord(
                slot: slot, fingerprint: fingerprint)
        }
    }

    // MARK: Snapshots

    /// One line per task in slot order, with the `seq`s of its history, then one per idempotency key.
    func writeSnapshot(into writer: inout SnapshotWriter, state: EngineState) {
        for (slot, task) in tasks.enumerated() {
            task.appendSnapshotLine(history: state.log.indexes(ofSlot: Int32(slot)).map { $0 + 1 }, to: &writer)
        }
        for line in idempotencyJSON() { writer.write(.idempotencyKey, line) }
    }

    mutating func load(_ lines: [SnapshotLine.Kind: [SnapshotLine]], state: EngineState) throws(EngineError) {
        let taskLines = lines[.task] ?? []
        slotsByID.reserveCapacity(taskLines.count)
        // Lines in the engine's own form are read in one pass, on every core; any other goes the general way.
        for (line, decoded) in zip(taskLines, TaskLineDecoder.decodeAll(taskLines)) {
            if let decoded {
                let slot = try append(loaded: decoded.task)
                for seq in decoded.history { snapshotHistory.append((seq, slot)) }
                continue
            }
            let object = try line.object()
            let slot = try append(loaded: TaskItem(persistent: object))
            for seq in object["history"]?.arrayValue ?? [] {
                guard let seq = seq.intValue, seq >= 1 else {
                    throw .damaged("snapshot task \(tasks[Int(slot)].id) has a bad history")
                }
                snapshotHistory.append((seq, slot))
            }
        }
        indexes = TaskIndexes(building: tasks)
        text = TextIndex.build(from: tasks)
        for line in lines[.idempotencyKey] ?? [] { try loadIdempotency(line.object()) }
    }

    /// The slot of every event in the loaded snapshot's task histories, by `seq` - 1 (-1 for events of no
    /// task), once: the event log chains them when it takes the snapshot's records.
    mutating func takeSnapshotHistory(eventCount: Int) throws(EngineError) -> [Int32] {
        var slotOfEvent = [Int32](repeating: -1, count: eventCount)
        for (seq, slot) in snapshotHistory {
            guard seq <= eventCount, slotOfEvent[seq - 1] == -1 else {
                throw .damaged("snapshot task \(tasks[Int(slot)].id) has a bad history")
            }
            slotOfEvent[seq - 1] = slot
        }
        snapshotHistory = []
        return slotOfEvent
    }

    /// Adds a task read from a snapshot, without any event.
    mutating func load(task: TaskItem) throws(EngineError) -> Int32 {
        let slot = try append(loaded: task)
        if !task.isDeleted {
            indexes.insert(task, at: slot)
            text.insert(task, at: slot)
        }
        return slot
    }

    /// ``load(task:)`` but the list and text indexes, which a whole snapshot builds once all its tasks are
    /// read.
    private mutating func append(loaded task: TaskItem) throws(EngineError) -> Int32 {
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
        if !task.isDeleted { analytics.insert(task, at: slot) }
        return slot
    }

    mutating func loadIdempotency(_ object: JSONObject) throws(EngineError) {
        guard let user = object["user"]?.stringValue, let key = object["key"]?.stringValue,
            let taskID = object["task_id"]?.stringValue.flatMap(TaskID.init), let slot = slot(of: taskID),
            let fingerprint = object["fingerprint"]?.stringValue
        else { throw .damaged("an idempotency key is malformed") }
        idempotency[Self.idempotencyKey(user: UserID(user), key: key)] = IdempotencyRecord(
            slot: slot, fingerprint: fingerprint)
    }

    private func idempotencyJSON() -> [JSONObject] {
        idempotency.sorted { $0.key < $1.key }.map { entry in
            let parts = entry.key.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false)
            return [
                "user": .string(String(parts.first ?? "")),
                "key": .string(parts.count > 1 ? String(parts[1]) : ""),
                "task_id": .string(tasks[Int(entry.value.slot)].id.description),
                "fingerprint": .string(entry.value.fingerprint),
            ]
        }
    }

    // MARK: Export and import

    /// `tasks` in creation order, deleted ones included, and `idempotency_keys` sorted by user and key.
    func export(into document: inout JSONObject, state: EngineState) {
        document.append("tasks", .array(tasks.map { .object($0.persistentJSON) }))
        document.append("idempotency_keys", .array(idempotencyJSON().map(JSONValue.object)))
    }

    /// The document's tasks must be exactly the ones its events made; its idempotency keys are taken as listed.
    mutating func importMembers(of document: JSONObject, state: EngineState) throws(EngineError) {
        let listed = document["tasks"]?.arrayValue ?? []
        guard listed.count == tasks.count else {
            throw .damaged("the document lists \(listed.count) tasks but its events make \(tasks.count)")
        }
        for (value, replayed) in zip(listed, tasks) {
            guard let taskObject = value.objectValue else { throw .damaged("a task is not an object") }
            let task = try TaskItem(persistent: taskObject)
            guard task == replayed else { throw .damaged("task \(task.id) does not match its events") }
        }
        for key in document["idempotency_keys"]?.arrayValue ?? [] {
            guard let keyObject = key.objectValue else { throw .damaged("an idempotency key is not an object") }
            try loadIdempotency(keyObject)
        }
    }
}

extension SnapshotLine.Kind {
    static let task = Self(rawValue: "task")
    static let idempotencyKey = Self(rawValue: "idempotency_key")
}
