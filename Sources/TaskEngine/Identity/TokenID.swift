/// A token id: `tok_` and 13 Crockford base32 characters, time-ordered like task ids (see ``Base32ID``).
///
/// The id names a token in `auth.tokens.list` and `auth.tokens.revoke`; it is not secret and cannot log in.
package struct TokenID: Base32Identifier {
    /// The prefix every token id carries.
    package static let prefix: StaticString = "tok_"

    /// The 64-bit value: creation milliseconds and a counter.
    package let raw: UInt64

    /// The id with this value.
    package init(raw: UInt64) { self.raw = raw }
}
