/// An automation id: `aut_` and 13 Crockford base32 characters, time-ordered like task ids (see ``Base32ID``).
package struct AutomationID: Base32Identifier {
    /// The prefix every automation id carries.
    package static let prefix: StaticString = "aut_"

    /// The 64-bit value: creation milliseconds and a counter.
    package let raw: UInt64

    /// The id with this value.
    package init(raw: UInt64) { self.raw = raw }
}
