import Foundation
import Locking

/// Where the engine reads the current time and waits for a time: the system clock in production, a
/// hand-driven one in tests.
///
/// Injected so that due-date checks, `overdue`, the due-date scheduler and every recorded time are
/// deterministic under test.
package protocol TimeSource: Sendable {
    /// The current time.
    func now() -> Timestamp

    /// Suspends until the clock reads `deadline` or later (at once when it already does).
    ///
    /// - Throws: `CancellationError` when the calling task is cancelled first.
    func sleep(until deadline: Timestamp) async throws
}

extension TimeSource {
    /// Sleeps in real time, at most a minute at a time, until ``now()`` reaches `deadline`; re-reading the
    /// clock after each nap keeps a wall clock that jumps from oversleeping by more than a minute.
    package func sleep(until deadline: Timestamp) async throws {
        while true {
            let remaining = deadline.microseconds - now().microseconds
            if remaining <= 0 { return }
            let nap = UInt64(min(remaining, 60_000_000)) * 1000
            try await Task.sleep(nanoseconds: nap)
        }
    }
}

/// The real wall clock.
package struct SystemTimeSource: TimeSource {
    package init() {}

    /// The current wall-clock time.
    package func now() -> Timestamp {
        Timestamp(microseconds: Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down)))
    }
}

/// A clock that only moves when told to, for tests and benchmarks.
///
/// Sleepers (``sleep(until:)``) wake when ``advance(seconds:)`` or ``set(_:)`` moves the clock to or past
/// their deadline, before the call returns, so a test decides exactly when a timer goes off.
package final class ManualTimeSource: TimeSource {
    private struct Sleeper {
        var deadline: Timestamp
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Timestamp
        var sleepers: [Int: Sleeper] = [:]
        var nextSleeper = 0
        /// Tasks waiting in ``waitForSleepers(atLeast:)``.
        var watchers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state: Mutex<State>

    /// A clock standing at `start`.
    package init(_ start: Timestamp) { state = Mutex(State(now: start)) }

    /// A clock standing at an RFC 3339 time; an unparsable text starts it at the Unix epoch.
    package convenience init(_ rfc3339: String) {
        self.init(Timestamp(rfc3339: rfc3339) ?? Timestamp(microseconds: 0))
    }

    /// The time the clock shows.
    package func now() -> Timestamp { state.withLock { $0.now } }

    /// Moves the clock forward (or back, with a negative value), waking every sleeper now due.
    package func advance(seconds: Int64) {
        move { $0.adding(seconds: seconds) }
    }

    /// Sets the clock to a time, waking every sleeper now due.
    package func set(_ time: Timestamp) {
        move { _ in time }
    }

    /// The number of tasks sleeping on this clock.
    package var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The deadlines of every sleeper, earliest first.
    package var sleeperDeadlines: [Timestamp] { state.withLock { $0.sleepers.values.map(\.deadline).sorted() } }

    /// Returns once at least `count` tasks sleep on this clock (at once when they already do).
    package func waitForSleepers(atLeast count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if state.sleepers.count >= count { return true }
                state.watchers.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Suspends until ``advance(seconds:)`` or ``set(_:)`` moves the clock to `deadline` or past it (at
    /// once when it already stands there); cancelling the caller ends the sleep with `CancellationError`.
    package func sleep(until deadline: Timestamp) async throws {
        let id = state.withLock { state in
            state.nextSleeper += 1
            return state.nextSleeper
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case wake, cancel, wait([CheckedContinuation<Void, Never>]) }
                let outcome = state.withLock { state -> Outcome in
                    if Task.isCancelled { return .cancel }
                    if state.now >= deadline { return .wake }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    var ready: [CheckedContinuation<Void, Never>] = []
                    state.watchers.removeAll { watcher in
                        guard state.sleepers.count >= watcher.count else { return false }
                        ready.append(watcher.continuation)
                        return true
                    }
                    return .wait(ready)
                }
                switch outcome {
                case .wake: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                case .wait(let watchers): for watcher in watchers { watcher.resume() }
                }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Changes the time under the lock, then resumes the sleepers it made due outside it.
    private func move(_ change: (Timestamp) -> Timestamp) {
        let due = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.now = change(state.now)
            let now = state.now
            let ids = state.sleepers.filter { $0.value.deadline <= now }.map(\.key)
            return ids.compactMap { state.sleepers.removeValue(forKey: $0)?.continuation }
        }
        for continuation in due { continuation.resume() }
    }
}
