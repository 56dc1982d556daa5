import Locking
import TaskStore

/// A store whose appends become durable only when the test says so: every append's ticket waits until
/// ``release(through:)`` covers it, so a test can look at what happened between a commit and its sync.
final class HeldStore: Store {
    private struct State {
        var appended = 0
        var released = 0
        var callbacks: [Int: [@Sendable (Result<Void, StoreError>) -> Void]] = [:]
        var waiters: [Int: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let inner = MemoryStore()
    private let state = Mutex(State())

    /// The number of records appended so far.
    var appended: Int { state.withLock { $0.appended } }

    /// Makes the first `count` appended records durable, running their callbacks in append order.
    func release(through count: Int) {
        let (callbacks, waiters) = state.withLock { state in
            var callbacks: [@Sendable (Result<Void, StoreError>) -> Void] = []
            var waiters: [CheckedContinuation<Void, Never>] = []
            while state.released < min(count, state.appended) {
                state.released += 1
                callbacks += state.callbacks.removeValue(forKey: state.released) ?? []
                waiters += state.waiters.removeValue(forKey: state.released) ?? []
            }
            return (callbacks, waiters)
        }
        for callback in callbacks { callback(.success(())) }
        for waiter in waiters { waiter.resume() }
    }

    func recover() throws(StoreError) -> RecoveredState { try inner.recover() }

    func append(_ record: [UInt8]) throws(StoreError) -> CommitTicket {
        _ = try inner.append(record)
        let number = state.withLock { state in
            state.appended += 1
            return state.appended
        }
        return CommitTicket(
            wait: { [self] in
                await withCheckedContinuation { continuation in
                    let done = state.withLock { state in
                        guard state.released < number else { return true }
                        state.waiters[number, default: []].append(continuation)
                        return false
                    }
                    if done { continuation.resume() }
                }
            },
            notify: { [self] callback in
                let done = state.withLock { state in
                    guard state.released < number else { return true }
                    state.callbacks[number, default: []].append(callback)
                    return false
                }
                if done { callback(.success(())) }
            })
    }

    func barrier() -> CommitTicket { .durable }
    var recordsSinceSnapshot: Int { inner.recordsSinceSnapshot }
    func snapshot(encode: @escaping @Sendable () -> [UInt8]) -> Bool { false }
    func writeInitialSnapshot(_ bytes: [UInt8]) throws(StoreError) { try inner.writeInitialSnapshot(bytes) }
    func close() { inner.close() }
    func putBlob(key: String, bytes: [UInt8]) throws(StoreError) { try inner.putBlob(key: key, bytes: bytes) }
    func blob(key: String) throws(StoreError) -> [UInt8]? { try inner.blob(key: key) }
    func deleteBlob(key: String) throws(StoreError) { try inner.deleteBlob(key: key) }
    func blobKeys() throws(StoreError) -> [String] { try inner.blobKeys() }
}
