/// An automation id: `aut_` and 13 Crockford base32 characters, time-ordered like task ids (see ``Base32ID``).
package struct AutomationID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The prefix every automation id carries.
    package static let prefix: StaticString = "aut_"

    /// The 64-bit value: creation milliseconds and a counter.
    package let raw: UInt64

    /// The id with this value.
    package init(raw: UInt64) { self.raw = raw }

    /// Parses an id's text; `nil` when it is not an automation id.
    package init?(_ text: String) {
        guard let raw = Base32ID.raw(text, prefix: Self.prefix) else { return nil }
        self.raw = raw
    }

    /// The wire text, `aut_…`.
    package var description: String { Base32ID.text(raw, prefix: Self.prefix) }

    package static func < (lhs: AutomationID, rhs: AutomationID) -> Bool { lhs.raw < rhs.raw }
}
