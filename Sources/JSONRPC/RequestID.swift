public import JSON

/// The `id` of a JSON-RPC request, kept exactly as the client wrote it so the reply echoes it unchanged.
///
/// A number keeps its literal text: `1`, `1.0` and `1e0` are three different ids on the wire.
public enum RequestID: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    /// A number id, as its JSON literal.
    case number(String)
    case null

    /// The id of a JSON value, or `nil` when the value may not be an id (a boolean, object or array).
    public init?(_ value: JSONValue) {
        switch value {
        case .string(let string): self = .string(string)
        case .number(let text): self = .number(text)
        case .null: self = .null
        case .bool, .array, .object: return nil
        }
    }

    /// An integer id.
    public static func int(_ value: Int) -> RequestID { .number(String(value)) }

    /// The id as a JSON value.
    public var json: JSONValue {
        switch self {
        case .string(let string): .string(string)
        case .number(let text): .number(text)
        case .null: .null
        }
    }

    public var description: String { JSONWriter.string(json) }
}
