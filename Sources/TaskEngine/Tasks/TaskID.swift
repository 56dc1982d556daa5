/// A task id: `tsk_` and 13 Crockford base32 characters encoding 64 bits (see ``Base32ID``).
///
/// Parsed once where it enters (the server's params, a journal record, a snapshot line), so a user or
/// token id can never be passed where a task id belongs. Ids sort by creation time.
package struct TaskID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The prefix every task id carries.
    package static let prefix: StaticString = "tsk_"

    /// The 64-bit value: creation milliseconds and a counter.
    package let raw: UInt64

    /// The id with this value.
    package init(raw: UInt64) { self.raw = raw }

    /// Parses an id's text; `nil` when it is not a task id this engine issues.
    package init?(_ text: String) {
        guard let raw = Base32ID.raw(text, prefix: Self.prefix) else { return nil }
        self.raw = raw
    }

    /// The wire text, `tsk_…`.
    package var description: String { Base32ID.text(raw, prefix: Self.prefix) }

    package static func < (lhs: TaskID, rhs: TaskID) -> Bool { lhs.raw < rhs.raw }
}
