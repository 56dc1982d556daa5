/// Comment and attachment ids: `cmt_` or `att_` followed by the same 13 Crockford base32 characters as task
/// ids, so they sort by creation time as plain strings.
///
/// The 64-bit value comes from a ``TaskIDGenerator`` of its own kind (creation milliseconds and a counter).
package enum CollaborationID {
    /// The prefix of comment ids.
    package static let commentPrefix = "cmt_"
    /// The prefix of attachment ids.
    package static let attachmentPrefix = "att_"

    /// The text of an id with one of the prefixes.
    package static func string(_ raw: UInt64, prefix: String) -> String {
        prefix + TaskID.string(raw).dropFirst(TaskID.prefix.utf8.count)
    }

    /// The 64-bit value of an id text, or `nil` when it is not an id of that kind.
    package static func raw(_ text: String, prefix: String) -> UInt64? {
        guard text.hasPrefix(prefix) else { return nil }
        return TaskID.raw(TaskID.prefix + text.dropFirst(prefix.count))
    }
}
