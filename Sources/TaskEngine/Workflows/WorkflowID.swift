/// A workflow id: `wf_` and 13 Crockford base32 characters, time-ordered like task ids (see ``Base32ID``).
///
/// Parsed once where it enters (params, a journal record, a snapshot line, a task's `workflow_id`).
package struct WorkflowID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The prefix every workflow id carries.
    package static let prefix: StaticString = "wf_"

    /// The 64-bit value: creation milliseconds and a counter.
    package let raw: UInt64

    /// The id with this value.
    package init(raw: UInt64) { self.raw = raw }

    /// Parses an id's text; `nil` when it is not a workflow id.
    package init?(_ text: String) {
        guard let raw = Base32ID.raw(text, prefix: Self.prefix) else { return nil }
        self.raw = raw
    }

    /// The wire text, `wf_…`.
    package var description: String { Base32ID.text(raw, prefix: Self.prefix) }

    package static func < (lhs: WorkflowID, rhs: WorkflowID) -> Bool { lhs.raw < rhs.raw }
}
