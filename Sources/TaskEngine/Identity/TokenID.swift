/// Token ids: `tok_` and 13 Crockford base32 characters, time-ordered like task ids.
///
/// The id names a token in `auth.tokens.list` and `auth.tokens.revoke`; it is not secret and cannot log in.
enum TokenID {
    static let prefix = "tok_"

    private static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// The text of an id.
    static func string(_ raw: UInt64) -> String {
        var bytes: [UInt8] = Array(prefix.utf8)
        for index in stride(from: 12, through: 0, by: -1) {
            bytes.append(alphabet[Int((raw >> (UInt64(index) * 5)) & 0x1F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The 64-bit value of an id, or `nil` when the text is not a token id.
    static func raw(_ text: String) -> UInt64? {
        guard text.hasPrefix(prefix), text.utf8.count == 17 else { return nil }
        var value: UInt64 = 0
        for (index, byte) in text.utf8.dropFirst(4).enumerated() {
            guard let digit = alphabet.firstIndex(of: byte), index > 0 || digit < 16 else { return nil }
            value = value << 5 | UInt64(digit)
        }
        return value
    }
}
