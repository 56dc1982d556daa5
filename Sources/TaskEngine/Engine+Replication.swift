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
            for (event, bytes) in try JournalRecord.events(in: record) where event.seq > state.lastSeq {
                let change = try state.prepare(event)
                state.commit(change, of: event, bytes: bytes)
                if case .identity(let identity) = change { didCommitIdentity(identity) }
                feed.committed(event, task: change.task, ticket: .durable)
            }
        }
    }
}
