package import JSONRPC
import Locking

/// The requests of one connection that were received and not yet answered, by id, so `$/cancelRequest`
/// can reach a request that is still queued or already running.
///
/// The reader thread registers requests and cancels them; the processing task attaches the running `Task`
/// and removes the entry when the handler is done. Ids are not required to be unique: a cancellation
/// reaches every unanswered request with that id.
package final class InFlightRequests: Sendable {
    private struct Entry {
        var id: RequestID
        var cancelled = false
        var task: Task<Dispatcher.Outcome, Never>?
    }

    private struct State {
        var nextToken: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
        /// A set per id, so a client that reuses one id for many requests costs O(1) per request.
        var tokensByID: [RequestID: Set<UInt64>] = [:]
    }

    private let state = Mutex(State())

    /// An empty table.
    package init() {}

    /// Records a received request and returns the token that names it until ``finish(_:)``.
    package func register(_ id: RequestID) -> UInt64 {
        state.withLock { state in
            state.nextToken += 1
            let token = state.nextToken
            state.entries[token] = Entry(id: id)
            state.tokensByID[id, default: []].insert(token)
            return token
        }
    }

    /// Whether the request was cancelled before it started.
    package func isCancelled(_ token: UInt64) -> Bool {
        state.withLock { $0.entries[token]?.cancelled ?? false }
    }

    /// Remembers the task running the request; cancels it at once if a cancellation already arrived.
    func attach(_ token: UInt64, task: Task<Dispatcher.Outcome, Never>) {
        let cancelNow = state.withLock { state -> Bool in
            guard state.entries[token] != nil else { return false }
            state.entries[token]?.task = task
            return state.entries[token]?.cancelled ?? false
        }
        if cancelNow { task.cancel() }
    }

    /// Forgets the request and returns whether it was cancelled while in flight.
    @discardableResult
    package func finish(_ token: UInt64) -> Bool {
        state.withLock { state in
            guard let entry = state.entries.removeValue(forKey: token) else { return false }
            state.tokensByID[entry.id]?.remove(token)
            if state.tokensByID[entry.id]?.isEmpty == true { state.tokensByID[entry.id] = nil }
            return entry.cancelled
        }
    }

    /// Cancels every unanswered request with this id; returns how many there were (unknown ids: 0).
    @discardableResult
    package func cancel(_ id: RequestID) -> Int {
        let tasks = state.withLock { state -> [Task<Dispatcher.Outcome, Never>?] in
            guard let tokens = state.tokensByID[id] else { return [] }
            return tokens.map { token in
                state.entries[token]?.cancelled = true
                return state.entries[token]?.task
            }
        }
        for task in tasks { task?.cancel() }
        return tasks.count
    }

    /// Cancels every unanswered request (the peer is gone, or shutdown ran out of patience).
    package func cancelAll() {
        let tasks = state.withLock { state in
            var tasks: [Task<Dispatcher.Outcome, Never>] = []
            for token in state.entries.keys {
                state.entries[token]?.cancelled = true
                if let task = state.entries[token]?.task { tasks.append(task) }
            }
            return tasks
        }
        for task in tasks { task.cancel() }
    }

    /// The number of unanswered requests.
    package var count: Int { state.withLock { $0.entries.count } }
}
