/// A comment id: `cmt_` and the same 13 Crockford base32 characters as task ids (see ``Base32ID``), so
/// comments sort by creation time.
package struct CommentID: Base32Identifier {
    /// The prefix every comment id carries.
    package static let prefix: StaticString = "cmt_"

    /// The 64-bit value: creation milliseconds and a counter.
    package let raw: UInt64

    /// The id with this value.
    package init(raw: UInt64) { self.raw = raw }
}
