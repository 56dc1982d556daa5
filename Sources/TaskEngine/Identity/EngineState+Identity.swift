extension EngineState {
    /// Checks an identity event against the state, changing nothing.
    func prepareIdentity(_ event: Event) throws(EngineError) -> IdentityState.Change {
        guard event.seq == lastSeq + 1 else { throw .damaged("event \(event.seq) follows event \(lastSeq)") }
        return try identity.prepare(event)
    }

    /// Commits a prepared identity event; cannot fail.
    mutating func commitIdentity(_ change: IdentityState.Change, of event: Event, bytes: some Collection<UInt8>) {
        identity.commit(change)
        commitUnattached(event, bytes: bytes)
    }

    /// Prepares and commits an identity event (journal replay).
    mutating func applyIdentity(_ event: Event, bytes: some Collection<UInt8>) throws(EngineError) {
        let change = try prepareIdentity(event)
        commitIdentity(change, of: event, bytes: bytes)
    }
}
