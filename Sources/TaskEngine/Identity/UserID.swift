package import JSON

/// A user id: text the client chose (`users.upsert`), at most 128 characters, compared exactly.
///
/// A value of its own so a user id can never be passed where a task or token id belongs; it wraps the text
/// as given, since user ids have no format of the engine's.
package struct UserID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The id as the client wrote it.
    package let text: String

    /// Wraps a client's user id.
    package init(_ text: String) { self.text = text }

    /// The wire text.
    package var description: String { text }

    package static func < (lhs: UserID, rhs: UserID) -> Bool { lhs.text < rhs.text }
}

extension UserID: ExpressibleByStringLiteral {
    /// A user id written in code (`"system"`, test users).
    package init(stringLiteral text: String) { self.init(text) }
}

extension UserID {
    /// The id as a JSON string, as records and replies carry it.
    package var json: JSONValue { .string(text) }
}
