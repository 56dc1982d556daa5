import TaskStore

extension Engine {
    /// Applies journal records that another engine committed to a store both share, in order, as recovery
    /// replays them, and hands their events to this engine's subscribers. Nothing is appended to this
    /// engine's store: this is how a node that does not write keeps its memory current (docs/postgres.md).
    ///
    /// Events this engine already holds (a record read twice) are skipped, so a caller may re-read from
    /// any position at or before the newest one it applied.
    ///
    /// - Throws: ``EngineError/damaged(_:)`` when a record cannot be understood or leaves a gap after
    ///   ``lastSeq``. Events of the record before the damaged one stay applied: the caller must then stop
    ///   serving from this engine and recover a new one from the store.
    package func applyReplicated(_ records: [[UInt8]]) throws(EngineError) {
        for record in records {
            for (event, bytes) in try JournalRecord.events(in: record) { try applyReplicated(event, bytes: bytes) }
        }
    }

    /// Catches up from a snapshot newer than what this engine applied, when the records in between are no
    /// longer in the store (the writer replaced them with that snapshot): a snapshot's event log holds every
    /// event, so the ones after ``lastSeq`` are applied from it, then `records` (those after the snapshot),
    /// exactly as ``applyReplicated(_:)`` applies records, each event handed to subscribers once.
    ///
    /// - Throws: ``EngineError/damaged(_:)`` when the snapshot cannot be read, or is older than what this
    ///   engine applied.
    package func applyReplicated(snapshot: [UInt8], records: [[UInt8]]) throws(EngineError) {
        let newer = try EngineState(snapshot: snapshot)
        guard newer.lastSeq >= state.lastSeq else {
            throw .damaged(
                "the snapshot ends at event \(newer.lastSeq), before event \(state.lastSeq) that this node applied")
        }
        for index in Int(state.lastSeq)..<Int(newer.lastSeq) {
            let bytes = Array(newer.log.bytes(at: index))
            try applyReplicated(try Event(bytes: bytes), bytes: bytes)
        }
        try applyReplicated(records)
    }

    private func applyReplicated(_ event: Event, bytes: some Collection<UInt8>) throws(EngineError) {
        guard event.seq > state.lastSeq else { return }
        let change = try state.prepare(event)
        state.commit(change, of: event, bytes: bytes)
        if case .identity(let identity) = change { didCommitIdentity(identity) }
        feed.committed(event, task: change.task, ticket: .durable)
    }
}
