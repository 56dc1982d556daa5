package import JSON

/// A syntax or runtime error in a script, with the line and column it is about.
///
/// ``description`` is the message users see: `line 3, column 14: expected THEN, found TALK`.
package struct BasicError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Whether the script could not be read, or failed while it ran.
    package enum Kind: String, Sendable, Equatable {
        /// The script does not parse; nothing of it ran.
        case syntax
        /// A statement failed while the script ran; the statements before it took effect.
        case runtime
    }

    /// Which limit a script went over (``BasicLimits``).
    package enum Limit: String, Sendable, Equatable {
        case steps
        case time
        case talkLines = "talk_lines"
        case talkBytes = "talk_bytes"
        case stringBytes = "string_bytes"
        case depth
        case sourceBytes = "source_bytes"
    }

    /// Syntax or runtime.
    package var kind: Kind
    /// Where the error is.
    package var position: SourcePosition
    /// What is wrong, without the position.
    package var message: String
    /// The limit exceeded, when that is the error.
    package var limit: Limit?
    /// The JSON-RPC method of the task keyword that failed, when a call failed.
    package var method: String?
    /// The server's error for that call.
    package var cause: CallError?
    /// The lines the script said before a runtime error.
    package var talk: [String] = []

    package init(
        _ kind: Kind, at position: SourcePosition, _ message: String, limit: Limit? = nil, method: String? = nil,
        cause: CallError? = nil
    ) {
        self.kind = kind
        self.position = position
        self.message = message
        self.limit = limit
        self.method = method
        self.cause = cause
    }

    /// `line L, column C: message`.
    package var description: String { "\(position): \(message)" }
}

/// How the call function reports that the server refused a call: the JSON-RPC error's code, message and
/// data. The interpreter turns it into a ``BasicError`` naming the statement.
package struct CallError: Error, Sendable, Equatable {
    /// The JSON-RPC error code (404, -32602, ...).
    package var code: Int
    /// The server's sentence.
    package var message: String
    /// The error's `data` (its `error` member is the stable string code).
    package var data: JSONValue?

    package init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// The stable string code in `data.error`, when present.
    package var name: String? { data?["error"]?.stringValue }
}
