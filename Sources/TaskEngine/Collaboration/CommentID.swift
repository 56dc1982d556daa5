/// A comment id: `cmt_` and the same 13 Crockford base32 characters as task ids (see ``Base32ID``), so
/// comments sort by creation time.
package struct CommentID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The prefix every comment id carries.
    package static let prefix: StaticString = "cmt_"

    /// The 64-bit value: creation milliseconds and a counter.
    package let raw: UInt64

    /// The id with this value.
    package init(raw: UInt64) { self.raw = raw }

    /// Parses an id's text; `nil` when it is not a comment id.
    package init?(_ text: String) {
        guard let raw = Base32ID.raw(text, prefix: Self.prefix) else { return nil }
        self.raw = raw
    }

    /// The wire text, `cmt_…`.
    package var description: String { Base32ID.text(raw, prefix: Self.prefix) }

    package static func < (lhs: CommentID, rhs: CommentID) -> Bool { lhs.raw < rhs.raw }
}
