import Dispatch
import Locking

/// Bounds how many received messages of one connection wait to be processed.
///
/// The reader thread adds what it decoded and, when the connection is over the limit, waits until the
/// processing task has caught up: the server then stops reading that connection, so the kernel's buffers
/// fill and the client's writes block. A client that floods requests thus cannot grow the server's memory
/// without bound, and other connections are not affected.
final class Backlog: Sendable {
    private struct State {
        var count = 0
        var closed = false
        /// Readers waiting in ``add(_:)`` for room right now.
        var waiting = 0
        /// With flow control: the reader was asked to pause and not resumed yet.
        var paused = false
    }

    /// How a reader that must never block (one event-loop thread serves many connections) is held back
    /// instead: `pause` stops reading the connection, `resume` reads it again. Both are called with the
    /// backlog's lock held, so they always alternate.
    struct FlowControl: Sendable {
        var pause: @Sendable () -> Void
        var resume: @Sendable () -> Void
    }

    private let state = Mutex(State())
    /// Signalled once for each waiting reader that may go on.
    private let room = DispatchSemaphore(value: 0)
    /// Signalled each time a reader starts to wait, for tests.
    private let readerBlocked = DispatchSemaphore(value: 0)
    private let limit: Int

    private let flow: FlowControl?

    /// A backlog of at most `limit` messages; with `flow`, ``add(_:)`` pauses the reader instead of blocking.
    init(limit: Int, flow: FlowControl? = nil) {
        self.limit = max(1, limit)
        self.flow = flow
    }

    /// Counts `added` waiting messages; blocks the calling (reader) thread while over the limit, or with
    /// flow control pauses the reader and returns at once.
    func add(_ added: Int) {
        let mustWait = state.withLock { state in
            state.count += added
            if let flow {
                if state.count > limit, !state.closed, !state.paused {
                    state.paused = true
                    flow.pause()
                }
                return false
            }
            guard state.count > limit, !state.closed else { return false }
            state.waiting += 1
            return true
        }
        guard mustWait else { return }
        readerBlocked.signal()
        room.wait()
    }

    /// Waits until a reader has blocked in ``add(_:)``, up to `timeout` seconds; for tests.
    func waitUntilReaderBlocks(timeout: Double) -> Bool {
        readerBlocked.wait(timeout: .now() + timeout) == .success
    }

    /// One waiting message was processed.
    func remove(_ removed: Int = 1) {
        let released = state.withLock { state in
            state.count -= removed
            if let flow, state.paused, state.count <= limit / 2 {
                state.paused = false
                flow.resume()
            }
            // Resume only once half the limit is free again, so a steady flood wakes the reader rarely.
            guard state.waiting > 0, state.count <= limit / 2 else { return 0 }
            defer { state.waiting = 0 }
            return state.waiting
        }
        for _ in 0..<released { room.signal() }
    }

    /// Stops blocking, for good: the connection is finishing.
    func close() {
        let released = state.withLock { state in
            state.closed = true
            if let flow, state.paused {
                state.paused = false
                flow.resume()
            }
            defer { state.waiting = 0 }
            return state.waiting
        }
        for _ in 0..<released { room.signal() }
    }
}
