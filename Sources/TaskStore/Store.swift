/// Where the engine's state lives: an append-only journal of change records plus periodic snapshots.
///
/// The store knows bytes and files, never what a task is. The engine appends one record per committed
/// change while it holds its actor, and replies to the client only after the record's ticket reports it
/// durable. Implementations: ``FileStore`` (the data directory) and ``MemoryStore`` (`--in-memory`, tests).
package protocol Store: AnyObject, Sendable {
    /// Reads what survived: the newest valid snapshot and every journal record after it, in order.
    /// Called once, before the first append.
    func recover() throws(StoreError) -> RecoveredState

    /// Queues one record and returns at once, without blocking on I/O.
    ///
    /// When it throws (the disk is full, or the store has failed), nothing was queued, so the caller can
    /// leave its state unchanged. Records become durable in the order they were appended.
    func append(_ record: [UInt8]) throws(StoreError) -> CommitTicket

    /// A ticket that completes once every record appended so far is durable.
    ///
    /// An answer that reports an earlier change without appending one (an idempotent retry, an update that
    /// changed nothing) waits for it, so it never confirms a change the disk does not hold yet.
    func barrier() -> CommitTicket

    /// The number of records appended since the newest snapshot, so the engine can decide when to take one.
    var recordsSinceSnapshot: Int { get }

    /// Whether the journal has grown enough since the newest snapshot that the engine should take one.
    var snapshotDue: Bool { get }

    /// Starts a snapshot covering every record appended so far and returns at once.
    ///
    /// Call it at the instant the state matches the journal (inside the engine's actor). `encode` runs
    /// later on the store's own thread, never on the concurrency pool, and must produce the snapshot of
    /// exactly that state (capture a copy of it). When the snapshot is durable, the journal is compacted.
    ///
    /// Returns whether the snapshot was started; a request while one runs, or with nothing new to cover, is
    /// refused, and the engine asks again after later changes.
    @discardableResult
    func snapshot(encode: @escaping @Sendable () -> [UInt8]) -> Bool

    /// Writes the first snapshot of an empty store, durably, before returning (`taskwire import`).
    ///
    /// Blocking: call it off the concurrency pool. Throws when the store already holds records or a
    /// snapshot, so an import never mixes with existing data.
    func writeInitialSnapshot(_ bytes: [UInt8]) throws(StoreError)

    /// Writes a snapshot of exactly the state ``recover()`` returned, durably, before returning, and compacts
    /// the journal. Call it after replaying and before the first append, when the recovered state's
    /// ``RecoveredState/snapshotBeforeServing`` asks for it.
    ///
    /// Blocking. A failure is not fatal (the journal still holds everything): the store reports it through
    /// its warnings and the engine serves on, taking a snapshot later as usual.
    func writeRecoverySnapshot(_ bytes: [UInt8]) throws(StoreError)

    /// Makes everything appended so far durable, waits for a running snapshot, and stops; later appends fail.
    func close()

    /// Stores `bytes` under `key` (a lowercase hex content digest chosen by the caller), durably; a blob that
    /// already exists is kept as it is (same key, same content).
    ///
    /// Blocking: run it off the concurrency pool. A key that is not 3-128 lowercase hex digits is refused,
    /// so no client text ever reaches a file path.
    func putBlob(key: String, bytes: [UInt8]) throws(StoreError)

    /// The blob stored under `key`, or nil. Blocking: run it off the concurrency pool.
    func blob(key: String) throws(StoreError) -> [UInt8]?

    /// Deletes the blob under `key`; a missing blob is not an error. Blocking: run it off the concurrency pool.
    func deleteBlob(key: String) throws(StoreError)

    /// Every stored blob key, sorted (to find blobs no attachment refers to). Blocking.
    func blobKeys() throws(StoreError) -> [String]
}

extension Store {
    /// By default, a snapshot is due every 100,000 records.
    package var snapshotDue: Bool { recordsSinceSnapshot >= 100_000 }

    /// By default, the snapshot is started in the background like any other.
    package func writeRecoverySnapshot(_ bytes: [UInt8]) throws(StoreError) {
        snapshot { bytes }
    }
}

/// What ``Store/recover()`` found on disk.
package struct RecoveredState: Sendable {
    /// The newest valid snapshot, if there is one.
    package var snapshot: [UInt8]?
    /// The journal records appended after that snapshot, oldest first.
    package var records: [[UInt8]]
    /// Things worth telling the operator (a torn tail that was truncated, a fallback snapshot).
    package var warnings: [String]
    /// The journal after the snapshot is past the snapshot thresholds and an earlier snapshot of it never
    /// completed (a crash, most often a server killed again and again while the snapshot was written): the
    /// engine should call ``Store/writeRecoverySnapshot(_:)`` before serving, so that restart time stays
    /// bounded instead of growing with every crash.
    package var snapshotBeforeServing = false

    /// A recovered state; empty by default (a new store).
    package init(snapshot: [UInt8]? = nil, records: [[UInt8]] = [], warnings: [String] = []) {
        self.snapshot = snapshot
        self.records = records
        self.warnings = warnings
    }
}
