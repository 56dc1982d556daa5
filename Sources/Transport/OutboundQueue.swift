import Foundation

/// The frames waiting to be written to one connection, bounded in bytes.
///
/// The server thread that produced a reply enqueues it and returns at once; the connection's writer thread
/// takes everything waiting in one go, so replies produced together leave in one `write(2)`.
final class OutboundQueue: @unchecked Sendable {
    /// What happened to an enqueued frame.
    enum EnqueueResult {
        case queued
        /// The queue is over its byte limit: the peer is not reading and must be disconnected.
        case overflow
        /// The queue no longer accepts frames (the connection is finishing or gone).
        case closed
    }

    let maxBytes: Int
    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var frames: [[UInt8]] = []
    /// Bytes queued or being written, so a writer stuck in `write(2)` still counts against the limit.
    private var pendingBytes = 0
    private var finishing = false
    private var aborted = false
    /// A thread is writing to the peer right now: the writer thread with what it took, or a sender trying
    /// a direct write. Only one may write at a time, so frames leave in order.
    private var writing = false

    init(maxBytes: Int) {
        self.maxBytes = max(1, maxBytes)
    }

    /// Bytes queued or being written and not yet taken by the peer.
    var unwrittenBytes: Int {
        condition.lock()
        defer { condition.unlock() }
        return pendingBytes
    }

    func enqueue(_ frame: [UInt8]) -> EnqueueResult {
        condition.lock()
        defer { condition.unlock() }
        guard !finishing, !aborted else { return .closed }
        if pendingBytes + frame.count > maxBytes, pendingBytes > 0 { return .overflow }
        pendingBytes += frame.count
        frames.append(frame)
        condition.signal()
        return .queued
    }

    /// Writes `frame` at once with `write` when nothing is queued and nobody is writing, else queues it.
    ///
    /// `write` must not block (a non-blocking `send`); it returns how many bytes it wrote. What it could not
    /// write is queued in front of anything queued meanwhile, for the writer thread. This saves waking the
    /// writer thread for the common case of a reply that fits in the socket buffer.
    func enqueueOrWrite(_ frame: [UInt8], write: ([UInt8]) -> Int) -> EnqueueResult {
        condition.lock()
        guard !finishing, !aborted else {
            condition.unlock()
            return .closed
        }
        guard frames.isEmpty, !writing else {
            condition.unlock()
            return enqueue(frame)
        }
        writing = true
        condition.unlock()
        let written = max(0, write(frame))
        condition.lock()
        defer { condition.unlock() }
        writing = false
        if written < frame.count, !aborted {
            let rest = Array(frame[written...])
            pendingBytes += rest.count
            frames.insert(rest, at: 0)
        }
        if !frames.isEmpty || finishing { condition.signal() }
        return .queued
    }

    /// Blocks until frames are waiting and returns all of them as one buffer; nil when the writer should stop.
    func takeAll() -> [UInt8]? {
        condition.lock()
        defer { condition.unlock() }
        while frames.isEmpty || writing, !finishing || writing, !aborted { condition.wait() }
        if aborted || frames.isEmpty { return nil }
        writing = true
        if frames.count == 1 { return frames.removeFirst() }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(frames.reduce(0) { $0 + $1.count })
        for frame in frames { buffer.append(contentsOf: frame) }
        frames.removeAll(keepingCapacity: true)
        return buffer
    }

    /// Records that `count` bytes taken earlier reached the peer.
    func didWrite(_ count: Int) {
        condition.lock()
        pendingBytes -= count
        writing = false
        condition.unlock()
    }

    /// Accepts no more frames; the writer drains what is queued and then stops.
    func finish() {
        condition.lock()
        finishing = true
        condition.broadcast()
        condition.unlock()
    }

    /// Drops everything; the writer stops at once.
    func abort() {
        condition.lock()
        aborted = true
        frames.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
