/// A token id: `tok_` and 13 Crockford base32 characters, time-ordered like task ids (see ``Base32ID``).
///
/// The id names a token in `auth.tokens.list` and `auth.tokens.revoke`; it is not secret and cannot log in.
package struct TokenID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The prefix every token id carries.
    package static let prefix: StaticString = "tok_"

    /// The 64-bit value: creation milliseconds and a counter.
    package let raw: UInt64

    /// The id with this value.
    package init(raw: UInt64) { self.raw = raw }

    /// Parses an id's text; `nil` when it is not a token id.
    package init?(_ text: String) {
        guard let raw = Base32ID.raw(text, prefix: Self.prefix) else { return nil }
        self.raw = raw
    }

    /// The wire text, `tok_…`.
    package var description: String { Base32ID.text(raw, prefix: Self.prefix) }

    package static func < (lhs: TokenID, rhs: TokenID) -> Bool { lhs.raw < rhs.raw }
}
