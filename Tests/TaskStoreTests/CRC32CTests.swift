import Testing

@testable import TaskStore

struct CRC32CTests {
    @Test func standardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test func matchesBitwiseDefinitionAtEveryLengthAndAlignment() {
        func bitwise(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            }
            return ~crc
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<100).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for start in 0..<8 {
            for end in start...bytes.count {
                #expect(CRC32C.checksum(bytes[start..<end]) == bitwise(bytes[start..<end]))
            }
        }
    }

    @Test func continuesAcrossPieces() {
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        let whole = CRC32C.checksum(bytes)
        for split in 0...bytes.count {
            #expect(CRC32C.update(CRC32C.update(0, Array(bytes[..<split])), Array(bytes[split...])) == whole)
        }
    }

    @Test func combinesTheChecksumsOfTwoPieces() {
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        let whole = CRC32C.checksum(bytes)
        for split in 0...bytes.count {
            let first = CRC32C.checksum(bytes[..<split])
            let second = CRC32C.checksum(bytes[split...])
            #expect(CRC32C.combine(first, second, length: bytes.count - split) == whole)
        }
    }

    /// Large enough to be split across threads, with a length no number of parts divides evenly.
    @Test func parallelChecksumEqualsTheOneThreadChecksum() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let bytes = (0..<(9 << 20) + 13).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
        let start = CRC32C.checksum(Array("header".utf8))
        let oneThread = CRC32C.update(start, bytes)
        #expect(bytes.withUnsafeBytes { CRC32C.updateInParallel(start, $0) } == oneThread)
        var changed = bytes
        changed[changed.count / 2] ^= 1
        #expect(changed.withUnsafeBytes { CRC32C.updateInParallel(start, $0) } != oneThread)
    }
}
