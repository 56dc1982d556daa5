import JSON

/// What each domain of the engine provides: check a change, apply a committed record, persist itself.
///
/// ``EngineState`` holds one ledger per domain (tasks, collaboration, identity, templates, workflows,
/// automations; notifications come next) and routes every event to the ledger that owns its type
/// (``EventType/domain``). Live writes and journal replay take the same path, `prepare` then `apply`, so a
/// replayed engine is the one that wrote the journal. A ledger reads the rest of the state (another
/// ledger, the event log) through the `state` it is given and changes only itself.
protocol Ledger: Sendable {
    /// An event checked against the state: everything `apply` needs, so that applying cannot fail.
    associatedtype Change: Sendable

    /// The kinds of snapshot line the ledger writes and reads; no two ledgers share a kind.
    static var lineKinds: [SnapshotLine.Kind] { get }

    /// Checks an event of this ledger's domain against the state and computes its effect, changing nothing.
    /// A record that does not fit is ``EngineError/damaged(_:)``.
    func prepare(_ event: Event, in state: EngineState) throws(EngineError) -> Change

    /// Applies the prepared change of a committed event; cannot fail.
    mutating func apply(_ change: Change, of event: Event)

    /// Follows a committed event of another domain that this ledger depends on (collaboration releases the
    /// blobs of a deleted task). Most ledgers ignore other domains' events.
    mutating func follow(_ event: Event)

    /// Writes the ledger's snapshot lines, each tagged with one of ``lineKinds``.
    func writeSnapshot(into writer: inout SnapshotWriter, state: EngineState)

    /// Restores the ledger from its snapshot lines, by kind (each kind's lines in the order they were
    /// written), after the ledgers it depends on. Called once, on an empty ledger; it reads only its kinds.
    mutating func load(_ lines: [SnapshotLine.Kind: [SnapshotLine]], state: EngineState) throws(EngineError)

    /// Adds the ledger's members to the export document.
    func export(into document: inout JSONObject, state: EngineState)

    /// Checks the ledger's members of an export document against what replaying the document's events
    /// rebuilt, so a damaged or hand-edited document is refused instead of half-loaded, and takes from it
    /// what the events do not carry.
    mutating func importMembers(of document: JSONObject, state: EngineState) throws(EngineError)
}

extension Ledger {
    mutating func follow(_ event: Event) {}
}
