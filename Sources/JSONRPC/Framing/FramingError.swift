/// A problem with how a message was framed, before its body was looked at.
///
/// Non-fatal errors skip one message and the stream resynchronises on the next frame; fatal ones mean the
/// byte stream can no longer be split into messages, so the connection answers once and closes.
public struct FramingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// A message body is larger than the frame limit; it was skipped.
        case frameTooLarge
        /// The LSP header block is larger than its limit.
        case headerTooLarge
        /// An LSP header line is not `Name: value`.
        case invalidHeader
        /// The LSP header block has no `Content-Length`.
        case missingContentLength
        /// `Content-Length` is not a non-negative decimal integer, or is given twice with different values.
        case invalidContentLength
        /// `Content-Type` names a charset other than UTF-8; the body was skipped.
        case unsupportedCharset
    }

    /// What went wrong.
    public var kind: Kind
    /// One sentence for the client and the log.
    public var message: String
    /// Whether the connection must close because the stream cannot be resynchronised.
    public var isFatal: Bool

    /// A framing error.
    public init(kind: Kind, message: String, isFatal: Bool) {
        self.kind = kind
        self.message = message
        self.isFatal = isFatal
    }

    public var description: String { message }

    /// The JSON-RPC error the client receives (always with `id: null`, since no body was read).
    public var responseError: ResponseError {
        switch kind {
        case .frameTooLarge, .headerTooLarge:
            ResponseError(code: .tooLarge, message: message, error: "too_large")
        case .invalidHeader, .missingContentLength, .invalidContentLength, .unsupportedCharset:
            ResponseError(code: .parseError, message: message, error: "parse_error")
        }
    }
}
