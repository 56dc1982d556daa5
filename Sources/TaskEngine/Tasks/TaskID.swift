/// A task id: `tsk_` and 13 Crockford base32 characters encoding 64 bits (see ``Base32ID``).
///
/// Parsed once where it enters (the server's params, a journal record, a snapshot line), so a user or
/// token id can never be passed where a task id belongs. Ids sort by creation time.
package struct TaskID: Base32Identifier {
    /// The prefix every task id carries.
    package static let prefix: StaticString = "tsk_"

    /// The 64-bit value: creation milliseconds and a counter.
    package let raw: UInt64

    /// The id with this value.
    package init(raw: UInt64) { self.raw = raw }
}
