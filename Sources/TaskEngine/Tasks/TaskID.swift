/// Task ids: `tsk_` and 13 Crockford base32 characters encoding 64 bits.
///
/// The high 48 bits are the creation time in milliseconds and the low 16 bits a counter, so ids sort by
/// creation time as plain strings. The engine stores the 64-bit value; the text exists only on the wire.
package enum TaskID {
    /// The prefix every task id carries.
    package static let prefix = "tsk_"

    private static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    private static let decodeTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = Int8(value) }
        return table
    }()

    /// The text of an id.
    package static func string(_ raw: UInt64) -> String {
        var bytes: [UInt8] = Array(prefix.utf8)
        bytes.reserveCapacity(17)
        for index in stride(from: 12, through: 0, by: -1) {
            bytes.append(alphabet[Int((raw >> (UInt64(index) * 5)) & 0x1F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The 64-bit value of an id text, or `nil` when the text is not a task id this engine issues.
    package static func raw(_ text: String) -> UInt64? {
        var text = text
        return text.withUTF8 { bytes -> UInt64? in
            guard bytes.count == 17, bytes[0] == UInt8(ascii: "t"), bytes[1] == UInt8(ascii: "s"),
                bytes[2] == UInt8(ascii: "k"), bytes[3] == UInt8(ascii: "_")
            else { return nil }
            // The first character carries only the top 4 bits.
            var value: UInt64 = 0
            for index in 4..<17 {
                let byte = bytes[index]
                guard byte < 128 else { return nil }
                let digit = decodeTable[Int(byte)]
                guard digit >= 0, index > 4 || digit < 16 else { return nil }
                value = value << 5 | UInt64(digit)
            }
            return value
        }
    }
}

/// Issues task ids that grow strictly, even when the clock stalls or steps back.
struct TaskIDGenerator: Sendable, Equatable {
    /// The newest id issued or seen (0 when none).
    var last: UInt64 = 0

    /// The next id for a task created at `time`.
    mutating func next(at time: Timestamp) -> UInt64 {
        let milliseconds = UInt64(clamping: max(time.milliseconds, 0)) & 0xFFFF_FFFF_FFFF
        let candidate = max(milliseconds << 16, last &+ 1)
        last = candidate
        return candidate
    }

    /// Records an id issued earlier (replay, import), so later ids stay above it.
    mutating func observe(_ raw: UInt64) {
        last = max(last, raw)
    }
}
