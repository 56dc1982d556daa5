import TaskStore

/// Makes bearer tokens and the hashes the engine stores instead of them.
///
/// A token is `tw_` and 43 base64url characters: 32 bytes from `SystemRandomNumberGenerator`, which reads
/// the kernel's `getrandom`. Only the SHA-256 of the token's text is ever stored or journaled.
package enum TokenSecret {
    /// The prefix of every token, so leaked tokens are easy to recognise in logs and scanners.
    package static let prefix = "tw_"

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// A new random token.
    package static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for _ in 0..<4 {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> shift)) }
        }
        return prefix + base64URL(bytes)
    }

    /// The hash stored for a token: lowercase hex SHA-256 of its UTF-8 text.
    package static func hash(_ token: String) -> String {
        SHA256.hexDigest(Array(token.utf8))
    }

    /// Unpadded base64url.
    static func base64URL(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * UInt32(offset)) }
            for position in 0...chunk.count {
                output.append(alphabet[Int((value >> (18 - 6 * UInt32(position))) & 0x3F)])
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
