import Foundation

/// Writes one header field of a message as folded lines that can never leave their field.
///
/// Every value from outside (a task title, a person's name) is first made one line: each run of
/// whitespace and control characters (CR, LF, tab, NEL, the Unicode line and paragraph separators)
/// becomes one space, so no value can end a header or start another. Printable ASCII is then folded at
/// spaces; anything else becomes RFC 2047 encoded-words (`=?utf-8?B?…?=`, base64 of whole UTF-8
/// characters), at most 75 characters each, one per line. Lines stay within 78 characters where the
/// content allows and always within RFC 5322's 998.
enum HeaderField {
    /// The line length folding aims for (RFC 5322 section 2.1.1 recommends 78).
    static let preferredLineLength = 78
    /// RFC 2047 limits a line holding encoded-words to 76 characters.
    static let encodedLineLength = 76
    private static let encodedWordOverhead = "=?utf-8?B??=".count

    /// `Name: value` for a value known to be printable ASCII without spaces to fold at (`Date`, an id).
    static func token(_ name: String, _ value: String) -> [String] {
        let safe = singleLine(value)
        guard isPlainASCII(safe), !safe.contains(" "), safe.utf8.count + name.utf8.count + 2 <= 998 else {
            return unstructured(name, value)
        }
        return ["\(name): \(safe)"]
    }

    /// An unstructured field (`Subject`, the `X-Taskwire-*` fields): free text, folded or encoded.
    static func unstructured(_ name: String, _ text: String) -> [String] {
        let value = singleLine(text)
        let words = value.split(separator: " ")
        let foldable = isPlainASCII(value) && !value.contains("=?") && words.allSatisfy { $0.utf8.count <= 76 }
        guard foldable else { return encodedWords(value, after: "\(name):") }
        var lines: [String] = []
        var line = "\(name):"
        for word in words {
            if line.utf8.count + 1 + word.utf8.count > preferredLineLength, line != "\(name):" {
                lines.append(line)
                line = ""
            }
            line += " " + word
        }
        lines.append(line)
        return lines
    }

    /// A field holding one mailbox: `To: Jane Smith <jane@example.com>`, the name quoted or encoded as it
    /// needs.
    static func mailbox(_ name: String, _ mailbox: Mailbox) -> [String] {
        let displayName = singleLine(mailbox.displayName)
        let angle = "<\(mailbox.address)>"
        guard !displayName.isEmpty, displayName != mailbox.address else { return ["\(name): \(mailbox.address)"] }
        var lines: [String]
        if isPlainASCII(displayName), !displayName.contains("=?"), displayName.utf8.count <= 64 {
            let isAtoms = displayName.split(separator: " ").allSatisfy { $0.utf8.allSatisfy(Mailbox.isAtext) }
            let phrase = isAtoms ? displayName : quoted(displayName)
            lines = ["\(name): \(phrase)"]
        } else {
            lines = encodedWords(displayName, after: "\(name):")
        }
        let last = lines.count - 1
        if lines[last].utf8.count + 1 + angle.utf8.count <= preferredLineLength {
            lines[last] += " " + angle
        } else {
            lines.append(" " + angle)
        }
        return lines
    }

    /// The text as one line: runs of whitespace and control characters become one space, ends trimmed.
    static func singleLine(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if isBreaking(scalar) {
                pendingSpace = !scalars.isEmpty
                continue
            }
            if pendingSpace {
                scalars.append(" ")
                pendingSpace = false
            }
            scalars.append(scalar)
        }
        return String(scalars)
    }

    /// The text as encoded-words, the first after `prefix` on its line, each further one on a line of its own.
    static func encodedWords(_ text: String, after prefix: String) -> [String] {
        var lines: [String] = []
        var chunk: [UInt8] = []
        var line = prefix
        func byteLimit(forLineOf length: Int) -> Int {
            // A line is the prefix or one space, a space, then the word; base64 writes 4 characters per 3 bytes.
            max(3, (encodedLineLength - length - 1 - encodedWordOverhead) / 4 * 3)
        }
        var limit = byteLimit(forLineOf: prefix.utf8.count)
        func flush() {
            line += " =?utf-8?B?" + Data(chunk).base64EncodedString() + "?="
            lines.append(line)
            line = ""
            chunk = []
            limit = byteLimit(forLineOf: 0)
        }
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if !chunk.isEmpty, chunk.count + bytes.count > limit { flush() }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty || lines.isEmpty { flush() }
        return lines
    }

    private static func quoted(_ text: String) -> String {
        var result = "\""
        for character in text {
            if character == "\"" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result + "\""
    }

    private static func isPlainASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    private static func isBreaking(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || scalar.properties.isWhitespace
    }
}
