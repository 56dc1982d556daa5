/// Strict standard base64 (RFC 4648, section 4), for attachment bytes on the wire.
///
/// Decoding accepts only the canonical form: the `A-Z a-z 0-9 + /` alphabet, a length that is a multiple
/// of four, `=` padding only at the end, no whitespace or line breaks, and zero bits in the unused low bits
/// of the last character. Anything else is refused rather than guessed at, so two different texts never
/// decode to the same bytes.
package enum Base64 {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 0-63 for alphabet bytes, 0xFF for every other byte.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }()

    private static let pad = UInt8(ascii: "=")

    /// The most bytes `count` characters of base64 can decode to, to refuse oversized content before decoding.
    package static func maximumDecodedCount(forEncodedCount count: Int) -> Int { count / 4 * 3 }

    /// The bytes of a canonical base64 text, or `nil` when the text is not one.
    package static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(buffer: $0) }
    }

    /// The bytes of canonical base64 characters, or `nil`.
    package static func decode(buffer input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let count = input.count
        guard count % 4 == 0 else { return nil }
        guard count > 0 else { return [] }
        let padding = input[count - 1] != pad ? 0 : input[count - 2] != pad ? 1 : 2
        let outputCount = count / 4 * 3 - padding
        var valid = true
        let output = [UInt8](unsafeUninitializedCapacity: outputCount) { buffer, initialized in
            decodeTable.withUnsafeBufferPointer { table in
                let fullEnd = padding > 0 ? count - 4 : count
                var read = 0
                var written = 0
                var invalid: UInt8 = 0
                while read < fullEnd {
                    let a = table[Int(input[read])]
                    let b = table[Int(input[read + 1])]
                    let c = table[Int(input[read + 2])]
                    let d = table[Int(input[read + 3])]
                    invalid |= a | b | c | d
                    let value = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    buffer[written] = UInt8(truncatingIfNeeded: value >> 16)
                    buffer[written + 1] = UInt8(truncatingIfNeeded: value >> 8)
                    buffer[written + 2] = UInt8(truncatingIfNeeded: value)
                    read += 4
                    written += 3
                }
                // Every valid sextet is below 64, so a 0xFF anywhere sets the high bits.
                valid = invalid & 0xC0 == 0
                if valid, padding > 0 {
                    let a = table[Int(input[read])]
                    let b = table[Int(input[read + 1])]
                    if padding == 2 {
                        valid = (a | b) & 0xC0 == 0 && b & 0x0F == 0
                        if valid { buffer[written] = a << 2 | b >> 4 }
                    } else {
                        let c = table[Int(input[read + 2])]
                        valid = (a | b | c) & 0xC0 == 0 && c & 0x03 == 0
                        if valid {
                            buffer[written] = a << 2 | b >> 4
                            buffer[written + 1] = (b & 0x0F) << 4 | c >> 2
                        }
                    }
                }
            }
            initialized = valid ? outputCount : 0
        }
        return valid ? output : nil
    }

    /// The canonical base64 text of `bytes`, padded.
    package static func encode(_ bytes: [UInt8]) -> String {
        let count = (bytes.count + 2) / 3 * 4
        guard count > 0 else { return "" }
        return String(unsafeUninitializedCapacity: count) { buffer in
            alphabet.withUnsafeBufferPointer { alphabet in
                bytes.withUnsafeBufferPointer { input in
                    var read = 0
                    var written = 0
                    while read + 3 <= input.count {
                        let value = UInt32(input[read]) << 16 | UInt32(input[read + 1]) << 8 | UInt32(input[read + 2])
                        buffer[written] = alphabet[Int(value >> 18 & 0x3F)]
                        buffer[written + 1] = alphabet[Int(value >> 12 & 0x3F)]
                        buffer[written + 2] = alphabet[Int(value >> 6 & 0x3F)]
                        buffer[written + 3] = alphabet[Int(value & 0x3F)]
                        read += 3
                        written += 4
                    }
                    let rest = input.count - read
                    if rest > 0 {
                        let second = rest == 2 ? UInt32(input[read + 1]) : 0
                        let value = UInt32(input[read]) << 16 | second << 8
                        buffer[written] = alphabet[Int(value >> 18 & 0x3F)]
                        buffer[written + 1] = alphabet[Int(value >> 12 & 0x3F)]
                        buffer[written + 2] = rest == 2 ? alphabet[Int(value >> 6 & 0x3F)] : pad
                        buffer[written + 3] = pad
                    }
                }
            }
            return count
        }
    }
}
