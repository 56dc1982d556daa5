import Glibc
import JSON

extension EngineState {
    static let snapshotFormat = "taskwire-engine-snapshot"
    static let exportFormat = "taskwire-export"
    static let persistenceVersion = 1

    private var header: JSONObject {
        [
            "last_seq": .number(String(lastSeq)),
            "last_event_at": lastSeq == 0 ? .null : .string(lastEventAt.rfc3339),
            "last_task_id": ids.last == 0 ? .null : .string(TaskID.string(ids.last)),
        ]
    }

    private func idempotencyJSON() -> [JSONValue] {
        idempotency.sorted { $0.key < $1.key }.map { entry in
            let parts = entry.key.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false)
            return [
                "user": .string(String(parts.first ?? "")),
                "key": .string(parts.count > 1 ? String(parts[1]) : ""),
                "task_id": .string(tasks[Int(entry.value.slot)].id),
                "fingerprint": .string(entry.value.fingerprint),
            ]
        }
    }

    // MARK: Snapshots

    /// The snapshot: newline-separated JSON. A header line, one line per task (with the `seq`s of its
    /// history), the raw event records in `seq` order, one line per idempotency key, then one line per
    /// stored user, per token, per comment and per attachment.
    ///
    /// Loading it parses the tasks but copies the events without parsing them, so start-up after a
    /// snapshot costs about one JSON parse per task.
    func snapshotBytes() -> [UInt8] {
        var output: [UInt8] = []
        var first = header
        first["format"] = .string(Self.snapshotFormat)
        first["version"] = .int(Self.persistenceVersion)
        first["tasks"] = .int(tasks.count)
        first["events"] = .int(log.count)
        first["idempotency_keys"] = .int(idempotency.count)
        let users = identity.storedUsersJSON
        let tokens = identity.tokensJSON
        first["users"] = .int(users.count)
        first["tokens"] = .int(tokens.count)
        let comments = commentsJSON()
        let attachments = attachmentsJSON()
        first["comments"] = .int(comments.count)
        first["attachments"] = .int(attachments.count)
        JSONWriter.write(.object(first), into: &output)
        output.append(0x0A)
        for (slot, task) in tasks.enumerated() {
            var object = task.persistentJSON
            object.append("history", .array(log.indexes(ofSlot: Int32(slot)).map { .int($0 + 1) }))
            JSONWriter.write(.object(object), into: &output)
            output.append(0x0A)
        }
        for index in 0..<log.count {
            output.append(contentsOf: log.bytes(at: index))
            output.append(0x0A)
        }
        for line in idempotencyJSON() + users + tokens + comments + attachments {
            JSONWriter.write(line, into: &output)
            output.append(0x0A)
        }
        return output
    }

    /// Rebuilds a state from ``snapshotBytes()``.
    init(snapshot bytes: [UInt8]) throws(EngineError) {
        self.init()
        var lines = Self.lines(of: bytes)
        guard !lines.isEmpty else { throw .damaged("the snapshot is empty") }
        let first = try Self.object(lines.removeFirst(), "snapshot header")
        let userCount = first["users"]?.intValue ?? 0
        let tokenCount = first["tokens"]?.intValue ?? 0
        guard first["format"]?.stringValue == Self.snapshotFormat,
            first["version"]?.intValue == Self.persistenceVersion,
            let taskCount = first["tasks"]?.intValue, let eventCount = first["events"]?.intValue,
            let keyCount = first["idempotency_keys"]?.intValue, taskCount >= 0, eventCount >= 0, keyCount >= 0,
            userCount >= 0, tokenCount >= 0,
            // Snapshots written before comments and attachments existed have neither count.
            case let commentCount = first["comments"]?.intValue ?? 0, commentCount >= 0,
            case let attachmentCount = first["attachments"]?.intValue ?? 0, attachmentCount >= 0,
            lines.count == taskCount + eventCount + keyCount + userCount + tokenCount + commentCount + attachmentCount
        else { throw .damaged("the snapshot header does not describe the snapshot") }
        var slotOfEvent = [Int32](repeating: -1, count: eventCount)
        for line in lines[0..<taskCount] {
            let object = try Self.object(line, "snapshot task")
            let slot = try load(task: TaskItem(persistent: object))
            for seq in object["history"]?.arrayValue ?? [] {
                guard let seq = seq.intValue, seq >= 1, seq <= eventCount, slotOfEvent[seq - 1] == -1 else {
                    throw .damaged("snapshot task \(tasks[Int(slot)].id) has a bad history")
                }
                slotOfEvent[seq - 1] = slot
            }
        }
        for (index, line) in lines[taskCount..<taskCount + eventCount].enumerated() {
            // Only identity events belong to no task; they are parsed to prove it (there are few).
            guard slotOfEvent[index] >= 0 || (try? Event(bytes: Array(line)))?.type.isIdentity == true else {
                throw .damaged("snapshot event \(index + 1) belongs to no task")
            }
            try load(eventBytes: line, seq: UInt64(index + 1), slot: slotOfEvent[index])
        }
        let keysEnd = taskCount + eventCount + keyCount
        for line in lines[(taskCount + eventCount)..<keysEnd] {
            try loadIdempotency(Self.object(line, "snapshot idempotency key"))
        }
        let usersEnd = keysEnd + userCount
        let tokensEnd = usersEnd + tokenCount
        for line in lines[keysEnd..<usersEnd] { try identity.load(user: Self.object(line, "snapshot user")) }
        for line in lines[usersEnd..<tokensEnd] { try identity.load(token: Self.object(line, "snapshot token")) }
        var comments: [JSONObject] = []
        for line in lines[tokensEnd..<tokensEnd + commentCount] {
            comments.append(try Self.object(line, "snapshot comment"))
        }
        var attachments: [JSONObject] = []
        for line in lines[(tokensEnd + commentCount)...] {
            attachments.append(try Self.object(line, "snapshot attachment"))
        }
        try loadCollaboration(comments: comments, attachments: attachments)
        try loadHeader(first)
    }

    /// The non-empty lines of a snapshot, found with `memchr`: the generic `split` took a fifth of the time
    /// of a restart on a million tasks.
    static func lines(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var start = 0
            while start < buffer.count {
                guard let found = memchr(base + start, 0x0A, buffer.count - start) else {
                    lines.append(bytes[start..<buffer.count])
                    return
                }
                let end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
                if end > start { lines.append(bytes[start..<end]) }
                start = end + 1
            }
        }
        return lines
    }

    private static func object(_ line: ArraySlice<UInt8>, _ what: String) throws(EngineError) -> JSONObject {
        guard let object = try? JSONParser.parse(line).objectValue else { throw .damaged("a \(what) is not JSON") }
        return object
    }

    private mutating func loadIdempotency(_ object: JSONObject) throws(EngineError) {
        guard let user = object["user"]?.stringValue, let key = object["key"]?.stringValue,
            let taskID = object["task_id"]?.stringValue, let slot = slot(of: taskID),
            let fingerprint = object["fingerprint"]?.stringValue
        else { throw .damaged("an idempotency key is malformed") }
        load(idempotencyKey: key, user: user, record: IdempotencyRecord(slot: slot, fingerprint: fingerprint))
    }

    private mutating func loadHeader(_ object: JSONObject) throws(EngineError) {
        guard let seqValue = object["last_seq"], case .number(let literal) = seqValue, UInt64(literal) == lastSeq
        else { throw .damaged("the last seq does not match the events") }
        if let time = object["last_event_at"]?.stringValue {
            guard let time = Timestamp(rfc3339: time) else { throw .damaged("last_event_at is not a time") }
            load(lastEventAt: time)
        }
        if let id = object["last_task_id"]?.stringValue {
            guard let raw = TaskID.raw(id) else { throw .damaged("last_task_id is not a task id") }
            ids.observe(raw)
        }
    }

    // MARK: Export and import

    /// Everything, as one JSON document: `{format, version, last_seq, last_event_at, last_task_id, tasks,
    /// events, idempotency_keys, users, tokens, comments, attachments}` (tokens by hash only; the bytes of
    /// attachments are not in it, see `Engine.exportArchive()`). Deleted tasks are included with
    /// `deleted: true`. Stable: the same state
    /// always gives the same document.
    func exportDocument() -> JSONValue {
        var object: JSONObject = [
            "format": .string(Self.exportFormat),
            "version": .int(Self.persistenceVersion),
        ]
        for member in header.members { object.append(member.key, member.value) }
        object.append("tasks", .array(tasks.map { .object($0.persistentJSON) }))
        var events: [JSONValue] = []
        events.reserveCapacity(log.count)
        for index in 0..<log.count {
            events.append((try? JSONParser.parse(log.bytes(at: index))) ?? .null)
        }
        object.append("events", .array(events))
        object.append("idempotency_keys", .array(idempotencyJSON()))
        object.append("users", .array(identity.storedUsersJSON))
        object.append("tokens", .array(identity.tokensJSON))
        object.append("comments", .array(commentsJSON()))
        object.append("attachments", .array(attachmentsJSON()))
        return .object(object)
    }

    /// Rebuilds a state from an export document by replaying its events, then checks that the result
    /// matches the document's tasks, so a damaged or hand-edited document is refused instead of half-loaded.
    init(document: JSONValue) throws(EngineError) {
        self.init()
        guard let object = document.objectValue, object["format"]?.stringValue == Self.exportFormat,
            object["version"]?.intValue == Self.persistenceVersion,
            let events = object["events"]?.arrayValue, let tasks = object["tasks"]?.arrayValue
        else { throw .damaged("the document is not a taskwire export of version \(Self.persistenceVersion)") }
        for value in events {
            let event = try Event(json: value)
            try apply(event, bytes: event.bytes)
        }
        guard tasks.count == self.tasks.count else {
            throw .damaged("the document lists \(tasks.count) tasks but its events make \(self.tasks.count)")
        }
        for (value, replayed) in zip(tasks, self.tasks) {
            guard let taskObject = value.objectValue else { throw .damaged("a task is not an object") }
            let task = try TaskItem(persistent: taskObject)
            guard task == replayed else { throw .damaged("task \(task.id) does not match its events") }
        }
        try verifyCollaboration(object)
        for key in object["idempotency_keys"]?.arrayValue ?? [] {
            guard let keyObject = key.objectValue else { throw .damaged("an idempotency key is not an object") }
            try loadIdempotency(keyObject)
        }
        // Users and tokens come from the events; the lists must agree with them, as tasks must.
        guard (object["users"]?.arrayValue ?? []) == identity.storedUsersJSON,
            (object["tokens"]?.arrayValue ?? []) == identity.tokensJSON
        else { throw .damaged("the document's users or tokens do not match its events") }
        try loadHeader(object)
    }
}
