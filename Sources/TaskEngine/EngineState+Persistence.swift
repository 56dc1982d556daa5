import JSON

extension EngineState {
    static let snapshotFormat = "taskwire-engine-snapshot"
    static let exportFormat = "taskwire-export"
    /// The version of snapshots this build writes. Version 3 added the notification line kinds and the
    /// reminder keys of task lines (`overdue_for`, `due_soon_for`); version 2 (the same lines without them)
    /// and version 1 (`EngineState+SnapshotV1.swift`) are still read.
    static let snapshotVersion = 3
    /// The version of export documents, unchanged since the first release.
    static let exportVersion = 1

    /// The members both snapshot headers and export documents carry.
    private var header: JSONObject {
        [
            "last_seq": .number(String(lastSeq)),
            "last_event_at": lastSeq == 0 ? .null : .string(lastEventAt.rfc3339),
            "last_task_id": tasks.ids.last == 0 ? .null : .string(TaskID(raw: tasks.ids.last).description),
        ]
    }

    // MARK: Snapshots

    /// The snapshot (version 3): newline-separated JSON objects, each carrying its `kind`. The header comes
    /// first (`{"kind":"header","format":…,"version":3,"last_seq":…,"last_event_at":…,"last_task_id":…}`),
    /// then each ledger's lines (`task` with the `seq`s of its history, `idempotency_key`, `comment`,
    /// `attachment`, `user`, `token`) and the raw journal records as `event` lines, in `seq` order.
    ///
    /// Nothing counts lines: a reader sorts them by kind. Loading parses the ledgers' lines but copies the
    /// events without parsing them, so start-up after a snapshot costs about one JSON parse per task.
    func snapshotBytes() -> [UInt8] {
        var writer = SnapshotWriter()
        // Events are most of a snapshot, and a task line is a few hundred bytes: one allocation, no regrowth.
        writer.reserve(log.byteCount + log.count * (SnapshotLine.eventPrefix.count + 2) + tasks.tasks.count * 640)
        var first: JSONObject = [
            "format": .string(Self.snapshotFormat),
            "version": .int(Self.snapshotVersion),
        ]
        for member in header.members { first.append(member.key, member.value) }
        writer.write(.header, first)
        writeLedgers(into: &writer)
        for index in 0..<log.count { writer.writeEvent(log.bytes(at: index)) }
        return writer.bytes
    }

    /// Rebuilds a state from a snapshot of version 3 (``snapshotBytes()``), 2 or 1.
    ///
    /// In versions 2 and 3 the header is the first line; the other lines may come in any order, except that the
    /// lines of one kind keep their order (tasks in creation order, events in `seq` order, a task's comments
    /// oldest first). A second header or a line of a kind no reader owns is damage.
    init(snapshot bytes: [UInt8]) throws(EngineError) {
        self.init()
        let allLines = SnapshotLine.lines(of: bytes)
        guard let firstLine = allLines.first else { throw .damaged("the snapshot is empty") }
        let lines = allLines.dropFirst()
        guard let first = try? JSONParser.parse(firstLine).objectValue,
            first["format"]?.stringValue == Self.snapshotFormat
        else { throw .damaged("the snapshot header does not describe the snapshot") }
        if first["kind"] == nil, first["version"]?.intValue == 1 {
            self = try EngineState(version1: first, lines: Array(lines))
            return
        }
        guard first["kind"]?.stringValue == SnapshotLine.Kind.header.rawValue,
            let version = first["version"]?.intValue, version == 2 || version == Self.snapshotVersion
        else { throw .damaged("the snapshot header does not describe the snapshot") }
        var byKind: [SnapshotLine.Kind: [SnapshotLine]] = [:]
        // Most lines are events in the engine's own form: their records are taken as they are, without
        // finding their kind by name.
        var events: [ArraySlice<UInt8>] = []
        for bytes in lines {
            if let record = SnapshotLine.writtenRecord(bytes) {
                events.append(record)
                continue
            }
            let line = try SnapshotLine(bytes)
            if line.kind == .event {
                events.append(try line.record())
            } else {
                byKind[line.kind, default: []].append(line)
            }
        }
        // Every kind has one reader: the event log, or the ledger that owns it. Version 2 had no notifications.
        var owned = Set(Self.ledgerLineKinds)
        if version == 2 { owned.subtract(NotificationLedger.lineKinds) }
        for kind in byKind.keys where !owned.contains(kind) {
            throw .damaged(
                kind == .header ? "the snapshot has a second header" : "the snapshot has a line of unknown kind \(kind)"
            )
        }
        try load(header: first, lines: byKind, events: events)
    }

    /// Loads what a snapshot's lines hold, whatever its version: the ledgers, then the events (chained into
    /// the task histories the task lines list), then the header's counters.
    mutating func load(
        header: JSONObject, lines: [SnapshotLine.Kind: [SnapshotLine]], events: [ArraySlice<UInt8>]
    ) throws(EngineError) {
        try loadLedgers(lines)
        let slotOfEvent = try takeSnapshotHistory(eventCount: events.count)
        for (index, record) in events.enumerated() {
            guard Event.seq(ofRecord: record) == UInt64(index + 1) else {
                throw .damaged("snapshot event \(index + 1) is not event \(index + 1)")
            }
            // Only events about no task (users, tokens) are in no history; they are parsed to prove it (there
            // are few).
            guard slotOfEvent[index] >= 0 || (try? Event(bytes: Array(record)))?.taskID == nil else {
                throw .damaged("snapshot event \(index + 1) belongs to no task")
            }
            try load(eventBytes: record, seq: UInt64(index + 1), slot: slotOfEvent[index])
        }
        try loadHeader(header)
    }

    private mutating func loadHeader(_ object: JSONObject) throws(EngineError) {
        guard let seqValue = object["last_seq"], case .number(let literal) = seqValue, UInt64(literal) == lastSeq
        else { throw .damaged("the last seq does not match the events") }
        if let time = object["last_event_at"]?.stringValue {
            guard let time = Timestamp(rfc3339: time) else { throw .damaged("last_event_at is not a time") }
            load(lastEventAt: time)
        }
        if let id = object["last_task_id"]?.stringValue {
            guard let raw = TaskID(id)?.raw else { throw .damaged("last_task_id is not a task id") }
            load(lastTaskID: raw)
        }
    }

    // MARK: Export and import

    /// The members of an export document in the order the first release wrote them; members a later
    /// domain adds follow in the order its ledger adds them.
    private static let exportOrder = [
        "format", "version", "last_seq", "last_event_at", "last_task_id", "tasks", "events", "idempotency_keys",
        "users", "tokens", "comments", "attachments",
    ]

    /// Everything, as one JSON document: `{format, version, last_seq, last_event_at, last_task_id, tasks,
    /// events, idempotency_keys, users, tokens, comments, attachments}` (tokens by hash only; the bytes of
    /// attachments are not in it, see `Engine.exportArchive()`). Deleted tasks are included with
    /// `deleted: true`. Stable: the same state always gives the same document.
    func exportDocument() -> JSONValue {
        var members: JSONObject = [
            "format": .string(Self.exportFormat),
            "version": .int(Self.exportVersion),
        ]
        for member in header.members { members.append(member.key, member.value) }
        var events: [JSONValue] = []
        events.reserveCapacity(log.count)
        for index in 0..<log.count {
            events.append((try? JSONParser.parse(log.bytes(at: index))) ?? .null)
        }
        members.append("events", .array(events))
        exportLedgers(into: &members)
        var document = JSONObject()
        for key in Self.exportOrder { if let value = members[key] { document.append(key, value) } }
        for member in members.members where !Self.exportOrder.contains(member.key) {
            document.append(member.key, member.value)
        }
        return .object(document)
    }

    /// Rebuilds a state from an export document by replaying its events, then has every ledger check that
    /// the result matches the document, so a damaged or hand-edited document is refused instead of
    /// half-loaded.
    init(document: JSONValue) throws(EngineError) {
        self.init()
        guard let object = document.objectValue, object["format"]?.stringValue == Self.exportFormat,
            object["version"]?.intValue == Self.exportVersion,
            let events = object["events"]?.arrayValue, object["tasks"]?.arrayValue != nil
        else { throw .damaged("the document is not a taskwire export of version \(Self.exportVersion)") }
        for value in events {
            let event = try Event(json: value)
            try apply(event, bytes: event.bytes)
        }
        try importLedgers(of: object)
        try loadHeader(object)
    }
}
