import Foundation
import Testing

@testable import TaskEngine

struct Base64Tests {
    @Test(arguments: 0..<70)
    func roundTripsAndMatchesFoundation(length: Int) throws {
        var random = SeededRandom(seed: UInt64(length))
        let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
        let text = Base64.encode(bytes)
        #expect(text == Data(bytes).base64EncodedString())
        #expect(Base64.decode(text) == bytes)
    }

    @Test func knownVectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE="]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base64.decode("+/+/") == [0xFB, 0xFF, 0xBF])
    }

    @Test(arguments: [
        "Zg", "Zg=", "Zm9", "Z===", "====", "Zg==Zg==", "Zm9v\n", " Zm9v", "Zm 9v", "Zm9v-_", "Zm9v+/=A",
        "Zh==", "Zm9=", "Zé==", "Zm\u{0}v",
    ])
    func refusesAnythingButCanonicalPaddedBase64(_ text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test func decodedSizeBound() {
        #expect(Base64.maximumDecodedCount(forEncodedCount: 8) == 6)
        #expect(Base64.maximumDecodedCount(forEncodedCount: 0) == 0)
    }
}
