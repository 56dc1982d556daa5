/// Splits a byte stream framed with the LSP base protocol: `Content-Length: N\r\n\r\n` then N body bytes.
///
/// Header names are case-insensitive and may come in any order; unknown headers are ignored;
/// `Content-Type` may name the charset `utf-8` or `utf8`. Lines may end in `\r\n` or `\n`. A body over the
/// frame limit is reported and its announced bytes skipped, so the stream stays in step. A header block that
/// cannot be understood is fatal: without a trustworthy length the stream cannot be resynchronised.
public struct ContentLengthFramer: Sendable {
    /// The largest message body accepted, in bytes.
    public let maxFrameBytes: Int
    /// The largest header block accepted, in bytes.
    public let maxHeaderBytes: Int

    private enum State: Sendable {
        /// Reading header lines; `buffer` holds the current line.
        case headers
        /// Reading a body of this many bytes into `buffer`.
        case body(Int)
        /// Skipping this many more bytes of an oversized or unreadable body.
        case skipping(Int)
        /// A fatal error happened; everything else is ignored.
        case failed
    }

    private var state = State.headers
    private var buffer: [UInt8] = []
    private var headerBytes = 0
    private var contentLength: Int?
    private var charsetProblem: String?

    /// A framer with the given limits.
    public init(
        maxFrameBytes: Int = FramingLimits.defaultMaxFrameBytes,
        maxHeaderBytes: Int = FramingLimits.defaultMaxHeaderBytes
    ) {
        self.maxFrameBytes = max(1, maxFrameBytes)
        self.maxHeaderBytes = max(64, maxHeaderBytes)
    }

    /// Whether a fatal error stopped the framer.
    public var hasFailed: Bool {
        if case .failed = state { return true }
        return false
    }

    /// Feeds the next bytes of the stream and appends what they complete to `events`.
    public mutating func push(_ chunk: UnsafeBufferPointer<UInt8>, into events: inout [FrameEvent]) {
        var index = 0
        let count = chunk.count
        while index < count {
            switch state {
            case .failed:
                return
            case .headers:
                index = consumeHeaderBytes(chunk, from: index, into: &events)
            case .body(let length):
                let take = min(length - buffer.count, count - index)
                if buffer.isEmpty, take == length {
                    events.append(.frame(Array(UnsafeBufferPointer(rebasing: chunk[index..<index + take]))))
                } else {
                    buffer.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[index..<index + take]))
                    if buffer.count == length {
                        events.append(.frame(buffer))
                        buffer = []
                    }
                }
                index += take
                if buffer.isEmpty { state = .headers }
            case .skipping(let remaining):
                let take = min(remaining, count - index)
                index += take
                state = remaining - take == 0 ? .headers : .skipping(remaining - take)
            }
        }
    }

    /// Ends the stream. A header block or body cut short is not a message and is never delivered: with its
    /// length announced and unmet, the bytes cannot be trusted. Returns how many bytes of such an unfinished
    /// frame were dropped (0 when the stream ended between frames), so the connection can log them.
    public mutating func finish() -> Int {
        defer {
            state = .headers
            buffer = []
            headerBytes = 0
            contentLength = nil
            charsetProblem = nil
        }
        switch state {
        case .headers: return headerBytes
        case .body: return buffer.count
        case .skipping, .failed: return 0
        }
    }

    /// Feeds the next bytes of the stream and appends what they complete to `events`.
    public mutating func push(_ chunk: some Collection<UInt8>, into events: inout [FrameEvent]) {
        let handled: Void? = chunk.withContiguousStorageIfAvailable { push($0, into: &events) }
        if handled == nil { Array(chunk).withUnsafeBufferPointer { push($0, into: &events) } }
    }

    /// Reads header bytes up to the end of the header block or of the chunk; returns the next index.
    private mutating func consumeHeaderBytes(
        _ chunk: UnsafeBufferPointer<UInt8>, from start: Int, into events: inout [FrameEvent]
    ) -> Int {
        var index = start
        while index < chunk.count {
            let byte = chunk[index]
            index += 1
            // Whitespace between frames (a stray CRLF after a body) is not the start of a header block.
            if headerBytes == 0, isWhitespace(byte) { continue }
            headerBytes += 1
            if headerBytes > maxHeaderBytes {
                fail(.headerTooLarge, "Header block larger than \(maxHeaderBytes) bytes.", into: &events)
                return chunk.count
            }
            guard byte == 0x0A else {
                buffer.append(byte)
                continue
            }
            if buffer.last == 0x0D { buffer.removeLast() }
            if buffer.isEmpty {
                finishHeaderBlock(into: &events)
                return index
            }
            let line = buffer
            buffer = []
            guard parseHeaderLine(line, into: &events) else { return chunk.count }
        }
        return index
    }

    /// Reads one `Name: value` line; returns false after a fatal error.
    private mutating func parseHeaderLine(_ line: [UInt8], into events: inout [FrameEvent]) -> Bool {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
            line[..<colon].allSatisfy(isTokenByte)
        else {
            fail(.invalidHeader, "Invalid header line; expected 'Name: value'.", into: &events)
            return false
        }
        let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
        let value = trimmed(line[(colon + 1)...])
        switch name {
        case "content-length":
            guard !value.isEmpty, value.count <= 18, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let length = Int(String(decoding: value, as: UTF8.self))
            else {
                fail(.invalidContentLength, "Content-Length must be a non-negative integer.", into: &events)
                return false
            }
            if let existing = contentLength, existing != length {
                fail(.invalidContentLength, "Content-Length is given twice with different values.", into: &events)
                return false
            }
            contentLength = length
        case "content-type":
            charsetProblem = Self.unsupportedCharset(in: String(decoding: value, as: UTF8.self))
        default:
            break
        }
        return true
    }

    private mutating func finishHeaderBlock(into events: inout [FrameEvent]) {
        defer {
            headerBytes = 0
            contentLength = nil
            charsetProblem = nil
        }
        guard let length = contentLength else {
            fail(.missingContentLength, "Header block without a Content-Length.", into: &events)
            return
        }
        if let charset = charsetProblem {
            events.append(
                .error(
                    FramingError(
                        kind: .unsupportedCharset,
                        message: "Unsupported charset \(charset); bodies must be UTF-8.",
                        isFatal: false
                    )
                )
            )
            state = length == 0 ? .headers : .skipping(length)
            return
        }
        if length > maxFrameBytes {
            events.append(
                .error(
                    FramingError(
                        kind: .frameTooLarge,
                        message: "Message of \(length) bytes is larger than the limit of \(maxFrameBytes) bytes.",
                        isFatal: false
                    )
                )
            )
            state = .skipping(length)
            return
        }
        if length == 0 {
            events.append(.frame([]))
            state = .headers
            return
        }
        buffer.reserveCapacity(length)
        state = .body(length)
    }

    private mutating func fail(_ kind: FramingError.Kind, _ message: String, into events: inout [FrameEvent]) {
        events.append(.error(FramingError(kind: kind, message: message, isFatal: true)))
        state = .failed
        buffer = []
    }

    /// The charset named by a `Content-Type` value when it is not UTF-8, or nil when it is UTF-8 or absent.
    static func unsupportedCharset(in contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let parts = parameter.split(separator: "=", maxSplits: 1)
            guard parts.count == 2,
                parts[0].trimmingSpaces.lowercased() == "charset"
            else { continue }
            var charset = parts[1].trimmingSpaces.lowercased()
            if charset.hasPrefix("\""), charset.hasSuffix("\""), charset.count >= 2 {
                charset = String(charset.dropFirst().dropLast())
            }
            return charset == "utf-8" || charset == "utf8" ? nil : charset
        }
        return nil
    }

    private func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return slice
    }
}

/// Whether a byte may appear in an HTTP-style header name.
private func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
        true
    default: false
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
