/// An attachment id: `att_` and the same 13 Crockford base32 characters as task ids (see ``Base32ID``), so
/// attachments sort by upload time.
package struct AttachmentID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The prefix every attachment id carries.
    package static let prefix: StaticString = "att_"

    /// The 64-bit value: upload milliseconds and a counter.
    package let raw: UInt64

    /// The id with this value.
    package init(raw: UInt64) { self.raw = raw }

    /// Parses an id's text; `nil` when it is not an attachment id.
    package init?(_ text: String) {
        guard let raw = Base32ID.raw(text, prefix: Self.prefix) else { return nil }
        self.raw = raw
    }

    /// The wire text, `att_…`.
    package var description: String { Base32ID.text(raw, prefix: Self.prefix) }

    package static func < (lhs: AttachmentID, rhs: AttachmentID) -> Bool { lhs.raw < rhs.raw }
}
