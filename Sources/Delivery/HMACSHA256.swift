import TaskStore

/// HMAC-SHA256 (RFC 2104 over FIPS 180-4 SHA-256): the signature of a webhook body.
///
/// Built on ``TaskStore/SHA256`` because the package depends on no crypto library; checked against the
/// RFC 4231 test vectors. ``verify(signature:key:message:)`` compares in constant time, for a receiver
/// written in Swift (and for the tests).
package enum HMACSHA256 {
    /// SHA-256 works on 64-byte blocks: keys longer than that are hashed first, shorter ones zero-padded.
    private static let blockSize = 64

    /// The 32-byte authentication code of `message` under `key`.
    package static func authenticationCode(key: some Collection<UInt8>, message: some Sequence<UInt8>) -> [UInt8] {
        var block = key.count > blockSize ? SHA256.hash(key) : Array(key)
        block.append(contentsOf: repeatElement(0, count: blockSize - block.count))
        var inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        let innerDigest = inner.finalize()
        var outer = SHA256()
        outer.update(block.map { $0 ^ 0x5c })
        outer.update(innerDigest)
        return outer.finalize()
    }

    /// The authentication code as 64 lowercase hex digits, as the `X-Taskwire-Signature` header carries it
    /// after `sha256=`.
    package static func hexCode(key: some Collection<UInt8>, message: some Sequence<UInt8>) -> String {
        SHA256.hex(authenticationCode(key: key, message: message))
    }

    /// Whether `signature` (64 hex digits, either case, optionally prefixed `sha256=`) is the code of
    /// `message` under `key`.
    ///
    /// The comparison takes the same time wherever the first difference lies, so a forger cannot find the
    /// code byte by byte from response times.
    package static func verify(
        signature: String, key: some Collection<UInt8>, message: some Sequence<UInt8>
    ) -> Bool {
        var text = Substring(signature)
        if text.hasPrefix("sha256=") { text = text.dropFirst(7) }
        let expected = authenticationCode(key: key, message: message)
        let digits = Array(text.utf8)
        guard digits.count == expected.count * 2 else { return false }
        var difference: UInt8 = 0
        var invalid: UInt8 = 0
        for index in expected.indices {
            let high = hexValue(digits[index * 2])
            let low = hexValue(digits[index * 2 + 1])
            invalid |= high.invalid | low.invalid
            difference |= expected[index] ^ (high.value << 4 | low.value)
        }
        return difference | invalid == 0
    }

    /// The value of one hex digit without branching on it, and 1 in `invalid` when it is not one.
    private static func hexValue(_ digit: UInt8) -> (value: UInt8, invalid: UInt8) {
        let lower = digit | 0x20
        let isDigit = mask(digit >= 0x30 && digit <= 0x39)
        let isLetter = mask(lower >= 0x61 && lower <= 0x66)
        let value = (isDigit & (digit &- 0x30)) | (isLetter & (lower &- 0x61 &+ 10))
        return (value, ~(isDigit | isLetter) & 1)
    }

    private static func mask(_ condition: Bool) -> UInt8 {
        0 &- UInt8(condition ? 1 : 0)
    }
}
