import Locking
import TaskStore

/// Hands committed events to listeners once they are durable, in commit order.
///
/// The engine reports every commit with its ticket (``committed(_:task:ticket:)``); when the ticket reports
/// the record durable, the commit joins a queue ordered by `seq`, and every commit whose predecessors are all
/// durable goes to the listeners, so a listener never sees an event the store could still lose and never
/// sees events out of order, whatever order tickets complete in. A commit whose ticket fails is never
/// published, and neither is anything after it (the store has failed; the server stops writing).
package final class EventFeed: Sendable {
    /// A durable commit: the journal event and, for events of a task, the task as the commit left it.
    package struct Commit: Sendable {
        package var event: Event
        package var task: TaskItem?
    }

    /// Receives durable commits in `seq` order, under the feed's lock: it must be quick and must not call
    /// back into the feed.
    package typealias Listener = @Sendable (_ commits: [Commit]) -> Void

    private struct State {
        var published: UInt64
        var waiting: [UInt64: Commit] = [:]
        var failed = false
        var listeners: [Int: Listener] = [:]
        var nextListener = 0
    }

    private let state: Mutex<State>

    init(published: UInt64) {
        state = Mutex(State(published: published))
    }

    /// The newest `seq` handed to listeners: every commit up to it is durable.
    package var publishedSeq: UInt64 { state.withLock { $0.published } }

    /// Registers a listener for commits published from now on, and returns its token and the `seq` it
    /// starts after (the listener sees exactly the commits after that `seq`).
    package func listen(_ listener: @escaping Listener) -> (token: Int, after: UInt64) {
        state.withLock { state in
            let token = state.nextListener
            state.nextListener += 1
            state.listeners[token] = listener
            return (token, state.published)
        }
    }

    /// Removes a listener.
    package func stopListening(_ token: Int) {
        _ = state.withLock { $0.listeners.removeValue(forKey: token) }
    }

    /// Publishes `event` once `ticket` reports it durable (and every earlier commit was published).
    func committed(_ event: Event, task: TaskItem?, ticket: CommitTicket) {
        let commit = Commit(event: event, task: task)
        ticket.whenDurable { [self] outcome in
            switch outcome {
            case .success: durable(commit)
            case .failure: state.withLock { $0.failed = true }
            }
        }
    }

    private func durable(_ commit: Commit) {
        state.withLock { state in
            guard !state.failed, commit.event.seq > state.published else { return }
            state.waiting[commit.event.seq] = commit
            var ready: [Commit] = []
            while let next = state.waiting.removeValue(forKey: state.published + 1) {
                ready.append(next)
                state.published += 1
            }
            guard !ready.isEmpty else { return }
            for listener in state.listeners.values { listener(ready) }
        }
    }
}
