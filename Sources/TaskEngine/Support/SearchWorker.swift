import Foundation
import Locking

/// Runs text searches (`tasks.list` with `q`) one at a time on a single long-lived thread, so a slow scan
/// never holds the engine's actor or a thread of the Swift concurrency pool (one per core).
///
/// At most ``capacity`` searches are queued for the thread at once, each holding a copy of the engine
/// state; a further search waits in ``admit()`` (suspended, holding no copy and no thread) until one of
/// them finishes. The thread starts with the first search and ends when the worker is released.
final class SearchWorker: Sendable {
    /// The most searches queued for the thread at once; later ones wait for a place, first come first served.
    static let capacity = 16

    private struct State {
        var jobs: [@Sendable () -> Void] = []
        /// Places taken by admitted searches (queued or running).
        var admitted = 0
        /// Searches waiting for a place, oldest first.
        var waiting: [CheckedContinuation<Void, Never>] = []
        var started = false
        var stopped = false
    }

    /// What the thread shares with the worker; the thread holds only this, so releasing the worker stops it.
    private final class Queue: Sendable {
        let state = Mutex(State())
        let wake = DispatchSemaphore(value: 0)

        func next() -> (@Sendable () -> Void)? {
            while true {
                let job = state.withLock { state -> (@Sendable () -> Void)?? in
                    if !state.jobs.isEmpty { return state.jobs.removeFirst() }
                    return state.stopped ? .some(nil) : nil
                }
                if let job { return job }
                wake.wait()
            }
        }
    }

    private let queue = Queue()

    deinit {
        queue.state.withLock { $0.stopped = true }
        queue.wake.signal()
    }

    /// Waits until a search may be queued, and reserves its place; pair with ``run(_:)``.
    func admit() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = queue.state.withLock { state -> Bool in
                guard state.admitted < Self.capacity else {
                    state.waiting.append(continuation)
                    return false
                }
                state.admitted += 1
                return true
            }
            if admitted { continuation.resume() }
        }
    }

    /// Runs `body` on the search thread in the place ``admit()`` reserved, and returns its result.
    func run<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            let queue = self.queue
            let start = queue.state.withLock { state -> Bool in
                state.jobs.append {
                    let value = body()
                    // The place passes straight to the oldest waiting search, if any.
                    let next = queue.state.withLock { state -> CheckedContinuation<Void, Never>? in
                        guard !state.waiting.isEmpty else {
                            state.admitted -= 1
                            return nil
                        }
                        return state.waiting.removeFirst()
                    }
                    next?.resume()
                    continuation.resume(returning: value)
                }
                defer { state.started = true }
                return !state.started
            }
            if start {
                let thread = Thread {
                    while let job = queue.next() { job() }
                }
                thread.name = "taskwire-search"
                thread.stackSize = 1 << 20
                thread.start()
            }
            queue.wake.signal()
        }
    }
}
