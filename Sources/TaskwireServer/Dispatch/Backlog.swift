import Foundation

/// Bounds how many received messages of one connection wait to be processed.
///
/// The reader thread adds what it decoded and, when the connection is over the limit, waits until the
/// processing task has caught up: the server then stops reading that connection, so the kernel's buffers
/// fill and the client's writes block. A client that floods requests thus cannot grow the server's memory
/// without bound, and other connections are not affected.
final class Backlog: @unchecked Sendable {
    // `count` and `closed` are guarded by `condition`.
    private let condition = NSCondition()
    private var count = 0
    private var closed = false
    /// Readers waiting for room right now.
    private var blocked = 0
    private let limit: Int

    init(limit: Int) { self.limit = max(1, limit) }

    /// Counts `added` waiting messages; blocks the calling (reader) thread while over the limit.
    func add(_ added: Int) {
        condition.lock()
        defer { condition.unlock() }
        count += added
        guard count > limit, !closed else { return }
        blocked += 1
        condition.broadcast()
        // Resume only once half the limit is free again, so a steady flood wakes the reader rarely.
        while count > limit / 2, !closed { condition.wait() }
        blocked -= 1
    }

    /// Waits until a reader is blocked in ``add(_:)``, up to `timeout`; for tests.
    func waitUntilReaderBlocks(timeout: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while blocked == 0 {
            if !condition.wait(until: deadline) { return blocked > 0 }
        }
        return true
    }

    /// One waiting message was processed.
    func remove(_ removed: Int = 1) {
        condition.lock()
        count -= removed
        if blocked > 0, count <= limit / 2 { condition.broadcast() }
        condition.unlock()
    }

    /// Stops blocking, for good: the connection is finishing.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
