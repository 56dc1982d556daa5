/// A template id: `tpl_` and a name of 1-64 characters of `A-Z a-z 0-9 _ -`.
///
/// Ids the engine issues are `tpl_` and 13 Crockford base32 characters, time-ordered like task ids (see
/// ``Base32ID``); a client may choose its own (`tpl_urgent`, which automations refer to) within the same
/// pattern. Parsed once where it enters, so a task id can never be passed where a template id belongs.
package struct TemplateID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The prefix every template id carries.
    package static let prefix: StaticString = "tpl_"
    /// The most characters after the prefix.
    package static let maxNameLength = 64

    /// The whole wire text, `tpl_…`.
    package let text: String

    /// The id the engine issues for a 64-bit generator value.
    package init(raw: UInt64) { text = Base32ID.text(raw, prefix: Self.prefix) }

    /// Parses an id's text; `nil` when it does not match `tpl_[A-Za-z0-9_-]{1,64}`.
    package init?(_ text: String) {
        guard text.hasPrefix("tpl_") else { return nil }
        let name = text.utf8.dropFirst(4)
        guard !name.isEmpty, name.count <= Self.maxNameLength,
            name.allSatisfy({ byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            })
        else { return nil }
        self.text = text
    }

    /// The generator value of an id the engine issued, or `nil` for an id a client chose.
    var raw: UInt64? { Base32ID.raw(text, prefix: Self.prefix) }

    package var description: String { text }

    package static func < (lhs: TemplateID, rhs: TemplateID) -> Bool { lhs.text < rhs.text }
}
