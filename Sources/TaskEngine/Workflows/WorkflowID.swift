/// A workflow id: `wf_` and 13 Crockford base32 characters, time-ordered like task ids (see ``Base32ID``).
///
/// Parsed once where it enters (params, a journal record, a snapshot line, a task's `workflow_id`).
package struct WorkflowID: Base32Identifier {
    /// The prefix every workflow id carries.
    package static let prefix: StaticString = "wf_"

    /// The 64-bit value: creation milliseconds and a counter.
    package let raw: UInt64

    /// The id with this value.
    package init(raw: UInt64) { self.raw = raw }
}
