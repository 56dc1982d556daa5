/// An id the engine issues: a four-character prefix and a 64-bit value written as 13 Crockford base32
/// characters (see ``Base32ID``), so ids of one kind sort by creation time as plain strings.
///
/// Each kind is its own type (``TaskID``, ``CommentID``, ``AttachmentID``, ``TokenID``, ...), so one kind can
/// never be passed where another belongs; this protocol gives them one parser, one text form and one order.
package protocol Base32Identifier: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The prefix every id of the kind carries, for example `tsk_`.
    static var prefix: StaticString { get }

    /// The 64-bit value: creation milliseconds and a counter (see ``TaskIDGenerator``).
    var raw: UInt64 { get }

    /// The id with this value.
    init(raw: UInt64)
}

extension Base32Identifier {
    /// Parses an id's text; `nil` when it is not an id of this kind.
    package init?(_ text: String) {
        guard let raw = Base32ID.raw(text, prefix: Self.prefix) else { return nil }
        self.init(raw: raw)
    }

    /// The wire text: the prefix and 13 base32 characters.
    package var description: String { Base32ID.text(raw, prefix: Self.prefix) }

    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.raw < rhs.raw }
}
