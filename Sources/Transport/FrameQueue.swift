/// Framed replies waiting for a socket, oldest first, with how much of the oldest was written already.
///
/// Frames are never copied to be queued or to be written in part: a writer takes the oldest few (their
/// storage is shared, not copied), writes them, and then consumes what the kernel took.
struct FrameQueue {
    /// Replies smaller than this are written together, copied into one buffer; a larger one alone.
    static let coalesceBytes = 256 * 1024

    private var frames: [[UInt8]] = []
    /// The index of the oldest frame not fully written.
    private var head = 0
    /// The bytes of `frames[head]` already written.
    private var headOffset = 0

    var isEmpty: Bool { head == frames.count }

    mutating func append(_ frame: [UInt8]) {
        guard !frame.isEmpty else { return }
        frames.append(frame)
    }

    /// The next bytes to write: the rest of the oldest frame alone when it is large or alone, else the
    /// oldest frames up to ``coalesceBytes`` in one buffer.
    func next() -> (frame: [UInt8], offset: Int)? {
        guard !isEmpty else { return nil }
        let first = frames[head]
        if head + 1 == frames.count || first.count - headOffset >= Self.coalesceBytes { return (first, headOffset) }
        var buffer: [UInt8] = []
        var index = head
        var size = 0
        while index < frames.count, size + frames[index].count <= Self.coalesceBytes || index == head {
            size += frames[index].count - (index == head ? headOffset : 0)
            index += 1
        }
        if index == head + 1 { return (first, headOffset) }
        buffer.reserveCapacity(size)
        buffer.append(contentsOf: first[headOffset...])
        for frame in frames[(head + 1)..<index] { buffer.append(contentsOf: frame) }
        return (buffer, 0)
    }

    /// Drops `count` written bytes from the front.
    mutating func consume(_ count: Int) {
        var left = count
        while left > 0, head < frames.count {
            let rest = frames[head].count - headOffset
            if left >= rest {
                left -= rest
                frames[head] = []
                head += 1
                headOffset = 0
            } else {
                headOffset += left
                left = 0
            }
        }
        if head == frames.count {
            // Empty: let the storage go, so an idle connection holds no queue at all.
            frames = []
            head = 0
        } else if head > 64, head * 2 > frames.count {
            frames.removeFirst(head)
            head = 0
        }
    }

    mutating func removeAll() {
        frames = []
        head = 0
        headOffset = 0
    }
}
