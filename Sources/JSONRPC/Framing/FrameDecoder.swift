/// Splits one connection's byte stream into message bodies, choosing the framing from the first
/// non-whitespace byte when the mode is ``FramingMode/auto``.
///
/// `{` or `[` means NDJSON (a JSON-RPC message always starts with one of them); anything else, normally the
/// `C` of `Content-Length`, means the LSP base protocol. The choice is locked for the life of the connection.
public struct FrameDecoder: Sendable {
    /// The framing in use, once known.
    public private(set) var framing: Framing?
    private var ndjson: NDJSONFramer
    private var lsp: ContentLengthFramer

    /// A decoder for one connection.
    public init(
        mode: FramingMode,
        maxFrameBytes: Int = FramingLimits.defaultMaxFrameBytes,
        maxHeaderBytes: Int = FramingLimits.defaultMaxHeaderBytes
    ) {
        ndjson = NDJSONFramer(maxFrameBytes: maxFrameBytes)
        lsp = ContentLengthFramer(maxFrameBytes: maxFrameBytes, maxHeaderBytes: maxHeaderBytes)
        switch mode {
        case .auto: framing = nil
        case .ndjson: framing = .ndjson
        case .lsp: framing = .lsp
        }
    }

    /// Whether a fatal framing error stopped the decoder; the connection should close.
    public var hasFailed: Bool { framing == .lsp && lsp.hasFailed }

    /// Feeds the next bytes of the stream and appends what they complete to `events`.
    public mutating func push(_ chunk: UnsafeBufferPointer<UInt8>, into events: inout [FrameEvent]) {
        var chunk = chunk
        if framing == nil {
            var index = 0
            while index < chunk.count, isWhitespace(chunk[index]) { index += 1 }
            guard index < chunk.count else { return }
            let first = chunk[index]
            framing = first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? .ndjson : .lsp
            if framing == .lsp, !isLetter(first) {
                // Neither JSON nor a header: treat it as NDJSON so the client gets a parse error per line.
                framing = .ndjson
            }
            chunk = UnsafeBufferPointer(rebasing: chunk[index...])
        }
        switch framing {
        case .ndjson?: ndjson.push(chunk, into: &events)
        case .lsp?: lsp.push(chunk, into: &events)
        case nil: break
        }
    }

    /// Ends the stream (the peer closed its side) and appends what that completes to `events`: NDJSON's last
    /// line without a newline is a message; an LSP frame cut short is not. Returns how many bytes of an
    /// unfinished frame were dropped (0 when the stream ended between frames).
    public mutating func finish(into events: inout [FrameEvent]) -> Int {
        switch framing {
        case .ndjson?:
            ndjson.finish(into: &events)
            return 0
        case .lsp?: return lsp.finish()
        case nil: return 0
        }
    }

    /// Feeds the next bytes of the stream and appends what they complete to `events`.
    public mutating func push(_ chunk: some Collection<UInt8>, into events: inout [FrameEvent]) {
        let handled: Void? = chunk.withContiguousStorageIfAvailable { push($0, into: &events) }
        if handled == nil { Array(chunk).withUnsafeBufferPointer { push($0, into: &events) } }
    }

    private func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}
