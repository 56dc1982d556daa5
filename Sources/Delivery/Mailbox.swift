import Glibc

/// A display name and an address, as a `From` or `To` header names a person: `Jane Smith <jane@example.com>`.
package struct Mailbox: Sendable, Equatable {
    /// The name shown beside the address; empty for none. Any characters: it is encoded on the way out.
    package var displayName: String
    /// The `local@domain` address, checked by ``init(displayName:address:)``.
    package private(set) var address: String

    /// A mailbox for `address`, or nil when the address cannot be written into a header as it is.
    ///
    /// Accepted: ASCII `local@domain` of at most 254 characters, where the local part is a dot-atom
    /// (letters, digits and ``!#$%&'*+-/=?^_`{|}~``, dots between them) and the domain is host labels of
    /// letters, digits and `-`, or an address literal in brackets. Quoted local parts and internationalised
    /// addresses are refused, and so is anything holding a space, a control character, `<`, `>` or a comma,
    /// so an address can never add a recipient or break out of its header.
    package init?(displayName: String = "", address: String) {
        guard Self.isUsableAddress(address) else { return nil }
        self.displayName = displayName
        self.address = address
    }

    /// Reads `Name <local@domain>` or a bare `local@domain`, as a `--mail-from` option would give it.
    package init?(parsing text: String) {
        let trimmed = text.trimmingSpaces
        guard trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") else {
            self.init(address: trimmed)
            return
        }
        var name = trimmed[..<open].trimmingSpaces
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
            name =
                String(name.dropFirst().dropLast())
                .replacingBackslashEscapes
        }
        let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        self.init(displayName: name, address: address)
    }

    /// The sender used when none is configured: `taskwire <taskwire@HOST>`, HOST being this machine's name
    /// from `gethostname` (`localhost` when it has none that can stand in an address).
    package static var defaultSender: Mailbox {
        // hostName() returns only labels that pass isHostLabel, so the address is always usable.
        Mailbox(unchecked: "taskwire", address: "taskwire@\(hostName())")
    }

    private init(unchecked displayName: String, address: String) {
        self.displayName = displayName
        self.address = address
    }

    /// The part after `@`, used for `Message-ID`s.
    var domain: Substring {
        address[address.index(after: address.lastIndex(of: "@") ?? address.startIndex)...]
    }

    /// This machine's name as an address domain: letters, digits, `-` and `.` only.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let labels = name.split(separator: ".", omittingEmptySubsequences: true)
        guard !labels.isEmpty, labels.allSatisfy(isHostLabel) else { return "localhost" }
        return labels.joined(separator: ".")
    }

    static func isUsableAddress(_ address: String) -> Bool {
        guard address.utf8.count <= 254, let at = address.lastIndex(of: "@") else { return false }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard !local.isEmpty, local.utf8.count <= 64, !domain.isEmpty else { return false }
        let atoms = local.split(separator: ".", omittingEmptySubsequences: false)
        guard atoms.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(isAtext) }) else { return false }
        if domain.hasPrefix("[") && domain.hasSuffix("]") {
            let literal = domain.dropFirst().dropLast()
            return !literal.isEmpty
                && literal.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x5B && $0 != 0x5C && $0 != 0x5D }
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy(isHostLabel)
    }

    static func isHostLabel(_ label: Substring) -> Bool {
        guard !label.isEmpty, label.utf8.count <= 63, label.first != "-", label.last != "-" else { return false }
        return label.utf8.allSatisfy { isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }
    }

    /// RFC 5322 `atext`: what may stand in an atom unquoted.
    static func isAtext(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
    }

    static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view = view.dropFirst() }
        while let last = view.last, last == " " || last == "\t" { view = view.dropLast() }
        return String(view)
    }

    /// `\x` read as `x`, as in a quoted-string.
    fileprivate var replacingBackslashEscapes: String {
        var result = ""
        var escaped = false
        for character in self {
            if !escaped, character == "\\" {
                escaped = true
                continue
            }
            escaped = false
            result.append(character)
        }
        return result
    }
}
