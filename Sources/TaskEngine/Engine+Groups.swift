import TaskStore

extension Engine {
    /// Journals several events as one record (see ``JournalRecord``), then applies them; all or nothing.
    ///
    /// Each event is prepared against the state the previous ones leave, on a copy of the state, so an
    /// event that does not fit, or a refused append, leaves the engine unchanged. The copy costs one pass
    /// over the state's storage per group; only workflow writes commit groups. A group of one is an
    /// ordinary record.
    func commitGroup(_ events: [Event]) throws(EngineError) -> ([EngineState.Change], CommitTicket) {
        precondition(!events.isEmpty, "a group commits at least one event")
        if events.count == 1 {
            let (change, ticket) = try commitChange(events[0])
            return ([change], ticket)
        }
        var scratch = state
        var changes: [EngineState.Change] = []
        var records: [[UInt8]] = []
        changes.reserveCapacity(events.count)
        records.reserveCapacity(events.count)
        for event in events {
            let change = try scratch.prepare(event)
            let bytes = event.bytes
            scratch.commit(change, of: event, bytes: bytes)
            changes.append(change)
            records.append(bytes)
        }
        let ticket: CommitTicket
        do { ticket = try store.append(JournalRecord.bytes(of: records)) } catch { throw .unavailable(error) }
        state = scratch
        for (change, event) in zip(changes, events) {
            if case .identity(let identity) = change { didCommitIdentity(identity) }
            // Every event of the group reaches the feed, in seq order, once the one record is durable.
            feed.committed(event, task: change.task, ticket: ticket)
            didCommit(event)
        }
        return (changes, ticket)
    }
}
