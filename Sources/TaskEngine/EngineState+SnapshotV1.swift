import JSON

extension EngineState {
    /// Reads a version 1 snapshot (releases up to 0.1.0): positional, its header counting the lines of each
    /// kind. After the header come the task lines, the raw event records, the idempotency keys, the users,
    /// the tokens, the comments and the attachments, in that order. Snapshots written before comments and
    /// attachments existed have neither count (and none of those lines).
    ///
    /// The lines are tagged with their kinds and loaded like a version 2 snapshot's. New snapshots are always
    /// written as version 2.
    init(version1 first: JSONObject, lines: [ArraySlice<UInt8>]) throws(EngineError) {
        self.init()
        let userCount = first["users"]?.intValue ?? 0
        let tokenCount = first["tokens"]?.intValue ?? 0
        guard let taskCount = first["tasks"]?.intValue, let eventCount = first["events"]?.intValue,
            let keyCount = first["idempotency_keys"]?.intValue, taskCount >= 0, eventCount >= 0, keyCount >= 0,
            userCount >= 0, tokenCount >= 0,
            case let commentCount = first["comments"]?.intValue ?? 0, commentCount >= 0,
            case let attachmentCount = first["attachments"]?.intValue ?? 0, attachmentCount >= 0,
            lines.count == taskCount + eventCount + keyCount + userCount + tokenCount + commentCount + attachmentCount
        else { throw .damaged("the snapshot header does not describe the snapshot") }
        var byKind: [SnapshotLine.Kind: [SnapshotLine]] = [:]
        var start = 0
        func take(_ count: Int) -> ArraySlice<ArraySlice<UInt8>> {
            defer { start += count }
            return lines[start..<start + count]
        }
        func tag(_ kind: SnapshotLine.Kind, _ count: Int) {
            byKind[kind] = take(count).map { SnapshotLine(kind: kind, bytes: $0) }
        }
        tag(.task, taskCount)
        let events = Array(take(eventCount))
        tag(.idempotencyKey, keyCount)
        tag(.user, userCount)
        tag(.token, tokenCount)
        tag(.comment, commentCount)
        tag(.attachment, attachmentCount)
        try load(header: first, lines: byKind, events: events)
    }
}
