/// The text of every engine id: a prefix (`tsk_`, `cmt_`, `att_`, `tok_`, `wf_`) and 13 Crockford
/// base32 characters encoding 64 bits, most significant first, so ids sort by value as plain strings.
///
/// The high 48 bits are a creation time in milliseconds and the low 16 bits a counter (see
/// ``TaskIDGenerator``). The engine keeps the 64-bit value; the text exists only on the wire and on disk.
enum Base32ID {
    private static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    private static let decodeTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = Int8(value) }
        return table
    }()

    /// The text of a value with a prefix.
    static func text(_ raw: UInt64, prefix: StaticString) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(17)
        prefix.withUTF8Buffer { bytes.append(contentsOf: $0) }
        for index in stride(from: 12, through: 0, by: -1) {
            bytes.append(alphabet[Int((raw >> (UInt64(index) * 5)) & 0x1F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The value of an id text, or `nil` when the text is not an id with that prefix.
    static func raw(_ text: String, prefix: StaticString) -> UInt64? {
        var text = text
        let start = prefix.utf8CodeUnitCount
        return text.withUTF8 { bytes -> UInt64? in
            guard bytes.count == start + 13 else { return nil }
            let prefixMatches = prefix.withUTF8Buffer { prefix in
                prefix.indices.allSatisfy { bytes[$0] == prefix[$0] }
            }
            guard prefixMatches else { return nil }
            // The first character carries only the top 4 bits.
            var value: UInt64 = 0
            for index in start..<(start + 13) {
                let byte = bytes[index]
                guard byte < 128 else { return nil }
                let digit = decodeTable[Int(byte)]
                guard digit >= 0, index > start || digit < 16 else { return nil }
                value = value << 5 | UInt64(digit)
            }
            return value
        }
    }
}
