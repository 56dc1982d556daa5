/// How messages are delimited on one connection.
///
/// A connection either decides this from its first byte (``FramingMode/auto``) or is told; once decided it
/// never changes, and replies use the same framing as requests.
public enum Framing: String, Sendable, Hashable, CaseIterable {
    /// One compact JSON message per line (`\n`, a preceding `\r` is tolerated on input).
    case ndjson
    /// The LSP base protocol: `Content-Length: N\r\n\r\n` followed by exactly N bytes of body.
    case lsp

    /// Appends one framed message to `output`.
    ///
    /// `Content-Length` is the first and only header, because some clients hang when it is not first.
    public func appendFrame(_ body: [UInt8], to output: inout [UInt8]) {
        switch self {
        case .ndjson:
            output.append(contentsOf: body)
            output.append(UInt8(ascii: "\n"))
        case .lsp:
            output.append(contentsOf: "Content-Length: \(body.count)\r\n\r\n".utf8)
            output.append(contentsOf: body)
        }
    }

    /// One framed message.
    public func frame(_ body: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(body.count + 32)
        appendFrame(body, to: &output)
        return output
    }
}

/// The `--framing` choice: a fixed framing, or detection from each connection's first non-whitespace byte.
public enum FramingMode: String, Sendable, Hashable, CaseIterable {
    /// `{` or `[` selects NDJSON, anything else (a header letter) selects the LSP base protocol.
    case auto
    case ndjson
    case lsp
}

/// What a framer found in the bytes it was given: a complete message body, or a framing problem.
public enum FrameEvent: Sendable, Hashable {
    /// The bytes of one message, without framing.
    case frame([UInt8])
    /// A framing problem; see ``FramingError/isFatal`` for whether the stream can continue.
    case error(FramingError)
}

/// The default and hard limits of the framers.
public enum FramingLimits {
    /// The default largest message body accepted (16 MiB), `--max-frame-bytes`.
    public static let defaultMaxFrameBytes = 16 * 1024 * 1024
    /// The largest LSP header block accepted (8 KiB); real clients send under 100 bytes.
    public static let defaultMaxHeaderBytes = 8 * 1024
}
