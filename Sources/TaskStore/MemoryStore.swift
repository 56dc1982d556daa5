import Locking

/// A store that keeps nothing on disk: for `--in-memory` and for engine tests.
///
/// It keeps the records and the newest snapshot in memory, so a test can build a second engine from the
/// same store and check that replaying the journal rebuilds the same state.
package final class MemoryStore: Store {
    private struct State {
        var snapshot: [UInt8]?
        var records: [[UInt8]] = []
        var closed = false
        var failNextAppend: StoreError?
        var blobs: [String: [UInt8]] = [:]
    }

    private let state = Mutex(State())

    /// Whether appended records and snapshots are kept. Tests keep them to replay them into a second
    /// engine; `--in-memory` servers do not, since nothing will ever be recovered from them and a copy of
    /// every record would double the memory a task costs.
    private let keepsRecords: Bool

    /// A store that keeps its records (`keepsRecords`) or only counts appends.
    package init(keepsRecords: Bool = true) {
        self.keepsRecords = keepsRecords
    }

    /// A store holding what another store recovered, so an engine can be built from it without touching
    /// the files again (`taskwire check`).
    package init(recovered: RecoveredState) {
        keepsRecords = true
        state.withLock { state in
            state.snapshot = recovered.snapshot
            state.records = recovered.records
        }
    }

    package func recover() throws(StoreError) -> RecoveredState {
        state.withLock { RecoveredState(snapshot: $0.snapshot, records: $0.records) }
    }

    package func append(_ record: [UInt8]) throws(StoreError) -> CommitTicket {
        let failure: StoreError? = state.withLock { state in
            if state.closed { return StoreError(code: .closed, message: "The store is closed.") }
            if let failure = state.failNextAppend {
                state.failNextAppend = nil
                return failure
            }
            if keepsRecords { state.records.append(record) }
            return nil
        }
        if let failure { throw failure }
        return .durable
    }

    package var recordsSinceSnapshot: Int { state.withLock { $0.records.count } }

    package func barrier() -> CommitTicket { .durable }

    @discardableResult
    package func snapshot(encode: @escaping @Sendable () -> [UInt8]) -> Bool {
        guard keepsRecords else { return false }
        let bytes = encode()
        state.withLock { state in
            state.snapshot = bytes
            state.records.removeAll()
        }
        return true
    }

    package func writeInitialSnapshot(_ bytes: [UInt8]) throws(StoreError) {
        let refused: Bool = state.withLock { state in
            guard state.snapshot == nil, state.records.isEmpty else { return true }
            state.snapshot = bytes
            return false
        }
        if refused { throw StoreError(code: .io, message: "The store is not empty.") }
    }

    package func close() {
        state.withLock { $0.closed = true }
    }

    /// Makes the next append fail with `error`, to test that a refused write changes nothing.
    package func failNextAppend(with error: StoreError) {
        state.withLock { $0.failNextAppend = error }
    }

    /// Every record appended since the newest snapshot.
    package var records: [[UInt8]] { state.withLock { $0.records } }

    /// Keeps the bytes in memory; an existing blob is kept.
    package func putBlob(key: String, bytes: [UInt8]) throws(StoreError) {
        try BlobKey.validate(key)
        state.withLock { state in
            if state.blobs[key] == nil { state.blobs[key] = bytes }
        }
    }

    /// The blob kept under `key`, or nil.
    package func blob(key: String) throws(StoreError) -> [UInt8]? {
        try BlobKey.validate(key)
        return state.withLock { $0.blobs[key] }
    }

    /// Forgets the blob under `key`.
    package func deleteBlob(key: String) throws(StoreError) {
        try BlobKey.validate(key)
        _ = state.withLock { $0.blobs.removeValue(forKey: key) }
    }

    /// Every kept blob key, sorted.
    package func blobKeys() throws(StoreError) -> [String] {
        state.withLock { $0.blobs.keys.sorted() }
    }
}
