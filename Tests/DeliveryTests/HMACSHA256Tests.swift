import Delivery
import Testing

@Suite struct HMACSHA256Tests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    // RFC 4231 section 4, test cases 1-4, 6 and 7 (HMAC-SHA-256).
    static let vectors: [(key: [UInt8], data: [UInt8], code: String)] = [
        (
            [UInt8](repeating: 0x0b, count: 20), bytes("Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        ),
        (
            bytes("Jefe"), bytes("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ),
        (
            [UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
        ),
        (
            Array(1...25), [UInt8](repeating: 0xcd, count: 50),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
        ),
        (
            [UInt8](repeating: 0xaa, count: 131), bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
        (
            [UInt8](repeating: 0xaa, count: 131),
            bytes(
                "This is a test using a larger than block-size key and a larger than block-size data. "
                    + "The key needs to be hashed before being used by the HMAC algorithm."),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
        ),
    ]

    @Test(arguments: 0..<vectors.count)
    func matchesRFC4231(index: Int) {
        let vector = Self.vectors[index]
        #expect(HMACSHA256.hexCode(key: vector.key, message: vector.data) == vector.code)
        #expect(HMACSHA256.verify(signature: vector.code, key: vector.key, message: vector.data))
        #expect(
            HMACSHA256.verify(signature: "sha256=" + vector.code.uppercased(), key: vector.key, message: vector.data))
    }

    @Test func truncatedCodeOfTestCase5() {
        // Test case 5 gives only the first 128 bits.
        let code = HMACSHA256.hexCode(
            key: [UInt8](repeating: 0x0c, count: 20), message: Self.bytes("Test With Truncation"))
        #expect(code.hasPrefix("a3b6167473100ee06e0c796c2955552b"))
    }

    @Test func verifyRefusesAnyOtherSignature() {
        let key = Self.bytes("secret")
        let body = Self.bytes("{\"delivery_id\":\"dlv_1\"}")
        let good = HMACSHA256.hexCode(key: key, message: body)
        #expect(HMACSHA256.verify(signature: good, key: key, message: body))
        var flipped = Array(good)
        flipped[63] = flipped[63] == "0" ? "1" : "0"
        for bad in [
            String(flipped), String(good.dropLast()), good + "0", "", "sha256=", "sha1=" + good,
            String(repeating: "g", count: 64), HMACSHA256.hexCode(key: Self.bytes("secreT"), message: body),
        ] {
            #expect(!HMACSHA256.verify(signature: bad, key: key, message: body), "\(bad)")
        }
        #expect(!HMACSHA256.verify(signature: good, key: key, message: body + [0x20]))
    }
}
