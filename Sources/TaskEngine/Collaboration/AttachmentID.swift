/// An attachment id: `att_` and the same 13 Crockford base32 characters as task ids (see ``Base32ID``), so
/// attachments sort by upload time.
package struct AttachmentID: Base32Identifier {
    /// The prefix every attachment id carries.
    package static let prefix: StaticString = "att_"

    /// The 64-bit value: upload milliseconds and a counter.
    package let raw: UInt64

    /// The id with this value.
    package init(raw: UInt64) { self.raw = raw }
}
