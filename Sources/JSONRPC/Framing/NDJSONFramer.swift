/// Splits a byte stream into newline-delimited JSON messages.
///
/// Lines end at `\n`; a `\r` before it, surrounding whitespace and blank lines are ignored. A line longer
/// than the frame limit is reported once and skipped up to its newline, so the next line is read normally.
public struct NDJSONFramer: Sendable {
    /// The largest message body accepted, in bytes.
    public let maxFrameBytes: Int

    /// The start of a line whose newline has not arrived yet.
    private var partial: [UInt8] = []
    /// Whether the current line is over the limit and is being skipped up to its newline.
    private var skippingLine = false

    /// A framer with the given body limit.
    public init(maxFrameBytes: Int = FramingLimits.defaultMaxFrameBytes) {
        self.maxFrameBytes = max(1, maxFrameBytes)
    }

    /// Feeds the next bytes of the stream and appends what they complete to `events`.
    public mutating func push(_ chunk: UnsafeBufferPointer<UInt8>, into events: inout [FrameEvent]) {
        var start = 0
        let count = chunk.count
        while start < count {
            var newline = start
            while newline < count, chunk[newline] != 0x0A { newline += 1 }
            guard newline < count else {
                appendPartial(UnsafeBufferPointer(rebasing: chunk[start..<count]), into: &events)
                return
            }
            if skippingLine {
                skippingLine = false
            } else if partial.isEmpty {
                emit(UnsafeBufferPointer(rebasing: chunk[start..<newline]), into: &events)
            } else {
                partial.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start..<newline]))
                let line = partial
                partial = []
                line.withUnsafeBufferPointer { emit($0, into: &events) }
            }
            start = newline + 1
        }
    }

    /// Ends the stream: a last line without its newline is a message like every other line, as every
    /// line-oriented tool reads it (`printf '{...}' | taskwire` gets its answer). A line being skipped for its
    /// size was already reported; nothing more is appended for it.
    public mutating func finish(into events: inout [FrameEvent]) {
        defer {
            partial = []
            skippingLine = false
        }
        guard !skippingLine, !partial.isEmpty else { return }
        let line = partial
        line.withUnsafeBufferPointer { emit($0, into: &events) }
    }

    /// Feeds the next bytes of the stream and appends what they complete to `events`.
    public mutating func push(_ chunk: some Collection<UInt8>, into events: inout [FrameEvent]) {
        let handled: Void? = chunk.withContiguousStorageIfAvailable { push($0, into: &events) }
        if handled == nil { Array(chunk).withUnsafeBufferPointer { push($0, into: &events) } }
    }

    private mutating func appendPartial(_ bytes: UnsafeBufferPointer<UInt8>, into events: inout [FrameEvent]) {
        guard !skippingLine else { return }
        // One byte of slack for the `\r` of a CRLF line end, which is not part of the body.
        if partial.count + bytes.count > maxFrameBytes + 1 {
            partial = []
            skippingLine = true
            events.append(.error(tooLarge))
            return
        }
        partial.append(contentsOf: bytes)
    }

    private func emit(_ line: UnsafeBufferPointer<UInt8>, into events: inout [FrameEvent]) {
        var lower = 0
        var upper = line.count
        while lower < upper, isWhitespace(line[lower]) { lower += 1 }
        while upper > lower, isWhitespace(line[upper - 1]) { upper -= 1 }
        guard lower < upper else { return }
        guard upper - lower <= maxFrameBytes else {
            events.append(.error(tooLarge))
            return
        }
        events.append(.frame(Array(UnsafeBufferPointer(rebasing: line[lower..<upper]))))
    }

    private var tooLarge: FramingError {
        FramingError(
            kind: .frameTooLarge,
            message: "Message larger than the limit of \(maxFrameBytes) bytes; it was skipped.",
            isFatal: false
        )
    }
}

/// JSON's insignificant whitespace: space, tab, line feed, carriage return.
@inline(__always)
func isWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
}
