import Foundation

/// Reads a message back the way a mail client does, written independently of the code that builds it:
/// unfolds headers, decodes RFC 2047 encoded-words (B and Q) and a quoted-printable or base64 body.
struct MessageReader {
    /// The raw header lines (folded lines kept apart), without line endings.
    var rawHeaderLines: [String]
    /// The fields, unfolded, in order: name and raw value.
    var fields: [(name: String, value: String)]
    /// The body as sent, lines without their endings.
    var rawBodyLines: [String]

    /// Splits `bytes` at CRLF (or LF when `lineEnding` says so).
    init(_ bytes: [UInt8], lineEnding: String = "\r\n") throws {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.hasSuffix(lineEnding) else { throw ReadError("the message does not end with a line ending") }
        var lines = text.components(separatedBy: lineEnding)
        lines.removeLast()
        guard let blank = lines.firstIndex(of: "") else { throw ReadError("no blank line after the headers") }
        rawHeaderLines = Array(lines[..<blank])
        rawBodyLines = Array(lines[(blank + 1)...])
        var fields: [(name: String, value: String)] = []
        for line in rawHeaderLines {
            if line.hasPrefix(" ") || line.hasPrefix("\t") {
                guard !fields.isEmpty else { throw ReadError("a continuation line comes first") }
                fields[fields.count - 1].value += line
            } else {
                guard let colon = line.firstIndex(of: ":") else { throw ReadError("not a header line: \(line)") }
                let name = String(line[..<colon])
                let value = String(line[line.index(after: colon)...])
                fields.append((name, value.hasPrefix(" ") ? String(value.dropFirst()) : value))
            }
        }
        self.fields = fields
    }

    /// The raw (unfolded, undecoded) value of every field called `name`.
    func values(_ name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The one raw value of `name`.
    func value(_ name: String) throws -> String {
        let found = values(name)
        guard found.count == 1, let first = found.first else {
            throw ReadError("\(found.count) \(name) fields")
        }
        return first
    }

    /// The decoded text of `name`: encoded-words decoded, the whitespace between two of them dropped.
    func decoded(_ name: String) throws -> String {
        try Self.decodeWords(value(name))
    }

    /// The body after its transfer encoding is undone, as UTF-8 text with CRLF line breaks.
    func decodedBody() throws -> String {
        let encoding = try value("Content-Transfer-Encoding").lowercased()
        switch encoding {
        case "quoted-printable":
            var bytes: [UInt8] = []
            for line in rawBodyLines {
                var chars = Array(line.utf8)
                let soft = chars.last == UInt8(ascii: "=")
                if soft { chars.removeLast() }
                var position = 0
                while position < chars.count {
                    if chars[position] == UInt8(ascii: "="), position + 2 < chars.count,
                        let byte = UInt8(
                            String(decoding: chars[(position + 1)...(position + 2)], as: UTF8.self), radix: 16)
                    {
                        bytes.append(byte)
                        position += 3
                    } else {
                        bytes.append(chars[position])
                        position += 1
                    }
                }
                if !soft { bytes.append(contentsOf: [0x0D, 0x0A]) }
            }
            return String(decoding: bytes, as: UTF8.self)
        case "base64":
            guard let data = Data(base64Encoded: rawBodyLines.joined()) else { throw ReadError("bad base64 body") }
            return String(decoding: data, as: UTF8.self)
        default:
            throw ReadError("unexpected transfer encoding \(encoding)")
        }
    }

    /// Decodes `=?charset?B|Q?text?=` words in an unfolded value.
    static func decodeWords(_ value: String) throws -> String {
        let pattern = try NSRegularExpression(pattern: "=\\?([^?]+)\\?([BbQq])\\?([^?]*)\\?=")
        let source = value as NSString
        var result = ""
        var cursor = 0
        var previousWasWord = false
        for match in pattern.matches(in: value, range: NSRange(location: 0, length: source.length)) {
            let between = source.substring(with: NSRange(location: cursor, length: match.range.location - cursor))
            if !(previousWasWord && between.allSatisfy { $0 == " " || $0 == "\t" }) { result += between }
            let charset = source.substring(with: match.range(at: 1)).lowercased()
            guard charset == "utf-8" else { throw ReadError("charset \(charset)") }
            let kind = source.substring(with: match.range(at: 2)).uppercased()
            let text = source.substring(with: match.range(at: 3))
            if kind == "B" {
                guard let data = Data(base64Encoded: text) else { throw ReadError("bad base64 word \(text)") }
                result += String(decoding: data, as: UTF8.self)
            } else {
                var bytes: [UInt8] = []
                var chars = Array(text.utf8)[...]
                while let first = chars.first {
                    chars = chars.dropFirst()
                    if first == UInt8(ascii: "_") {
                        bytes.append(0x20)
                    } else if first == UInt8(ascii: "="), chars.count >= 2,
                        let byte = UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16)
                    {
                        bytes.append(byte)
                        chars = chars.dropFirst(2)
                    } else {
                        bytes.append(first)
                    }
                }
                result += String(decoding: bytes, as: UTF8.self)
            }
            cursor = match.range.location + match.range.length
            previousWasWord = true
        }
        result += source.substring(from: cursor)
        return result
    }

    /// The display name and address of a one-mailbox field, the name decoded and unquoted.
    func mailbox(_ name: String) throws -> (name: String, address: String) {
        let raw = try value(name)
        guard raw.hasSuffix(">"), let open = raw.lastIndex(of: "<") else { return ("", raw) }
        var phrase = try Self.decodeWords(String(raw[..<open]).trimmingCharacters(in: .whitespaces))
        if phrase.hasPrefix("\""), phrase.hasSuffix("\""), phrase.count >= 2 {
            var unquoted = ""
            var escaped = false
            for character in phrase.dropFirst().dropLast() {
                if !escaped, character == "\\" {
                    escaped = true
                    continue
                }
                escaped = false
                unquoted.append(character)
            }
            phrase = unquoted
        }
        return (phrase, String(raw[raw.index(after: open)..<raw.index(before: raw.endIndex)]))
    }
}

/// Why a message could not be read.
struct ReadError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
