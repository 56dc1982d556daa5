/// Issues 64-bit id values that grow strictly, even when the clock stalls or steps back: task, comment,
/// attachment and token ids each have one.
struct TaskIDGenerator: Sendable, Equatable {
    /// The newest value issued or seen (0 when none).
    var last: UInt64 = 0

    /// The next value for something created at `time`.
    mutating func next(at time: Timestamp) -> UInt64 {
        let milliseconds = UInt64(clamping: max(time.milliseconds, 0)) & 0xFFFF_FFFF_FFFF
        let candidate = max(milliseconds << 16, last &+ 1)
        last = candidate
        return candidate
    }

    /// Records a value issued earlier (replay, import), so later ones stay above it.
    mutating func observe(_ raw: UInt64) {
        last = max(last, raw)
    }
}
