import Dispatch
import Glibc
import Locking

/// CRC-32C (Castagnoli), the checksum on every journal record and snapshot.
///
/// Slicing-by-8 over a table built once; it runs at memory speed, so checksumming every record costs almost
/// nothing. The check value is `CRC32C.checksum("123456789".utf8) == 0xE306_9283`.
package enum CRC32C {
    /// The reflected Castagnoli polynomial.
    private static let polynomial: UInt32 = 0x82F6_3B78

    /// Eight 256-entry tables, one after the other: table `k` advances the CRC over `k` extra zero bytes.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1 }
            tables[byte] = crc
        }
        for byte in 0..<256 {
            var crc = tables[byte]
            for slice in 1..<8 {
                crc = tables[Int(crc & 0xFF)] ^ (crc >> 8)
                tables[slice * 256 + byte] = crc
            }
        }
        return tables
    }()

    /// The checksum of `bytes`.
    package static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0
        let handled: Void? = bytes.withContiguousStorageIfAvailable { crc = update(0, UnsafeRawBufferPointer($0)) }
        if handled == nil { crc = update(0, Array(bytes)) }
        return crc
    }

    /// Continues `crc` (the result of an earlier call, or 0 to start) over `bytes`.
    package static func update(_ crc: UInt32, _ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { update(crc, $0) }
    }

    /// Below this size one thread checksums the bytes alone.
    private static let parallelThreshold = 4 << 20

    /// ``update(_:_:)-(_,UnsafeRawBufferPointer)`` over large `bytes` on every core: each core checksums one
    /// part, and the parts' checksums are combined (``combine(_:_:length:)``), so a snapshot of a gigabyte is
    /// checked in a fraction of the time one core takes. The result is the same as the one-thread checksum.
    package static func updateInParallel(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let parts = min(8, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        guard bytes.count >= parallelThreshold, parts > 1 else { return update(crc, bytes) }
        let partLength = (bytes.count + parts - 1) / parts
        let results = PartChecksums(count: parts)
        // Only read, and only until `concurrentPerform` returns, which is before the caller's buffer ends.
        nonisolated(unsafe) let bytes = bytes
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let start = min(bytes.count, part * partLength)
            let end = min(bytes.count, start + partLength)
            let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            results.store(update(part == 0 ? crc : 0, slice), length: end - start, at: part)
        }
        return results.combined()
    }

    /// The checksum of `a` followed by `b`, from the checksum of each and the length of `b` (the method of
    /// zlib's `crc32_combine`: appending `length` zero bytes is a linear map, applied by repeated squaring).
    package static func combine(_ first: UInt32, _ second: UInt32, length: Int) -> UInt32 {
        guard length > 0 else { return first }
        func times(_ matrix: [UInt32], _ vector: UInt32) -> UInt32 {
            var sum: UInt32 = 0
            var vector = vector
            var row = 0
            while vector != 0 {
                if vector & 1 != 0 { sum ^= matrix[row] }
                vector >>= 1
                row += 1
            }
            return sum
        }
        func square(_ matrix: [UInt32]) -> [UInt32] { (0..<32).map { times(matrix, matrix[$0]) } }
        // The operator for one zero bit, then two and four.
        var odd = [UInt32](repeating: 0, count: 32)
        odd[0] = polynomial
        for bit in 1..<32 { odd[bit] = 1 << UInt32(bit - 1) }
        var even = square(odd)
        odd = square(even)
        var crc = first
        var remaining = length
        while true {
            // One byte is eight zero bits: start from the operator for eight bits.
            even = square(odd)
            if remaining & 1 != 0 { crc = times(even, crc) }
            remaining >>= 1
            if remaining == 0 { break }
            odd = square(even)
            if remaining & 1 != 0 { crc = times(odd, crc) }
            remaining >>= 1
            if remaining == 0 { break }
        }
        return crc ^ second
    }

    /// Continues `crc` (the result of an earlier call, or 0 to start) over raw `bytes`.
    package static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        tables.withUnsafeBufferPointer { table in
            var crc = ~crc
            var index = 0
            let count = bytes.count
            while count - index >= 8 {
                let low =
                    UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16
                    | UInt32(bytes[index + 3]) << 24
                let word = crc ^ low
                crc =
                    table[7 * 256 + Int(word & 0xFF)] ^ table[6 * 256 + Int((word >> 8) & 0xFF)]
                    ^ table[5 * 256 + Int((word >> 16) & 0xFF)] ^ table[4 * 256 + Int(word >> 24)]
                    ^ table[3 * 256 + Int(bytes[index + 4])] ^ table[2 * 256 + Int(bytes[index + 5])]
                    ^ table[1 * 256 + Int(bytes[index + 6])] ^ table[Int(bytes[index + 7])]
                index += 8
            }
            while index < count {
                crc = table[Int((crc ^ UInt32(bytes[index])) & 0xFF)] ^ (crc >> 8)
                index += 1
            }
            return ~crc
        }
    }
}

/// The checksums of the parts of ``CRC32C/updateInParallel(_:_:)``, filled in by the threads that compute them.
private final class PartChecksums: Sendable {
    private let parts: Mutex<[(crc: UInt32, length: Int)]>

    init(count: Int) { parts = Mutex(Array(repeating: (crc: 0, length: 0), count: count)) }

    func store(_ crc: UInt32, length: Int, at part: Int) {
        parts.withLock { $0[part] = (crc, length) }
    }

    func combined() -> UInt32 {
        parts.withLock { parts in
            var crc = parts[0].crc
            for part in parts.dropFirst() { crc = CRC32C.combine(crc, part.crc, length: part.length) }
            return crc
        }
    }
}
