/// Quoted-printable (RFC 2045 section 6.7) for a UTF-8 text body: readable where the text is ASCII, safe
/// for any byte, every line within 76 characters.
///
/// Line breaks in the text (LF, CRLF or a lone CR) become hard line breaks. Besides what RFC 2045 asks
/// (`=` and bytes outside printable ASCII encoded, trailing spaces and tabs encoded), a `.` starting a line
/// is written `=2E` and the `F` of a line starting `From ` is written `=46`, so that no line of the body is a
/// lone dot (which ends the input of a `sendmail` run without `-i`) or is rewritten by mbox software.
enum QuotedPrintable {
    /// The longest encoded line, soft line break included.
    static let maximumLineLength = 76

    /// The encoded lines, without line endings.
    static func encode(_ text: String) -> [String] {
        var output: [String] = []
        for line in logicalLines(text) {
            output.append(contentsOf: encode(line: Array(line.utf8)))
        }
        return output
    }

    /// The text's lines, split at LF, CRLF and lone CR.
    static func logicalLines(_ text: String) -> [Substring] {
        let normalized = text.replacing("\r\n", with: "\n").replacing("\r", with: "\n")
        return normalized.split(separator: "\n", omittingEmptySubsequences: false)
    }

    private static func encode(line bytes: [UInt8]) -> [String] {
        var tokens: [[UInt8]] = []
        tokens.reserveCapacity(bytes.count)
        let startsWithFrom = bytes.starts(with: "From ".utf8)
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let literal: Bool
            switch byte {
            case 0x21...0x3C, 0x3E...0x7E: literal = !(index == 0 && startsWithFrom)
            case 0x20, 0x09: literal = !isLast
            default: literal = false
            }
            tokens.append(literal ? [byte] : escape(byte))
        }
        var lines: [String] = []
        var line: [UInt8] = []
        for var token in tokens {
            // One character is kept free for the `=` of a soft line break.
            if line.count + token.count > maximumLineLength - 1 {
                lines.append(String(decoding: line + [UInt8(ascii: "=")], as: UTF8.self))
                line = []
            }
            if line.isEmpty, token == [UInt8(ascii: ".")] { token = escape(UInt8(ascii: ".")) }
            line.append(contentsOf: token)
        }
        lines.append(String(decoding: line, as: UTF8.self))
        return lines
    }

    private static func escape(_ byte: UInt8) -> [UInt8] {
        let digits = Array("0123456789ABCDEF".utf8)
        return [UInt8(ascii: "="), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
    }
}
