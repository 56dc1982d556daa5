/// The on-disk framing of one journal record: `[magic u32][length u32][crc32c u32][payload]`, little-endian.
///
/// The checksum covers the length field and the payload, so a torn length is caught too. The magic's first
/// byte is a control character that a JSON encoder always escapes, so a JSON payload never contains it.
enum JournalFrame {
    /// `1A 54 57 4A` on disk ("\u{1A}TWJ").
    static let magic: UInt32 = 0x4A57_541A
    static let headerSize = 12
    /// Larger lengths are treated as garbage; records are small (attachments live in blobs).
    static let maxPayload = 256 << 20

    /// The checksum stored in the header of `payload`.
    static func checksum(of payload: UnsafeRawBufferPointer) -> UInt32 {
        var length = UInt32(payload.count).littleEndian
        let partial = withUnsafeBytes(of: &length) { CRC32C.update(0, $0) }
        return CRC32C.update(partial, payload)
    }

    /// Appends the framed `payload`, whose checksum is `crc`, to `buffer`.
    static func append(_ payload: [UInt8], crc: UInt32, to buffer: inout [UInt8]) {
        appendLittleEndian(magic, to: &buffer)
        appendLittleEndian(UInt32(payload.count), to: &buffer)
        appendLittleEndian(crc, to: &buffer)
        buffer.append(contentsOf: payload)
    }

    /// The complete frame of `payload`.
    static func frame(_ payload: [UInt8]) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(headerSize + payload.count)
        append(payload, crc: payload.withUnsafeBytes { checksum(of: $0) }, to: &buffer)
        return buffer
    }

    static func appendLittleEndian(_ value: UInt32, to buffer: inout [UInt8]) {
        buffer.append(UInt8(truncatingIfNeeded: value))
        buffer.append(UInt8(truncatingIfNeeded: value >> 8))
        buffer.append(UInt8(truncatingIfNeeded: value >> 16))
        buffer.append(UInt8(truncatingIfNeeded: value >> 24))
    }

    static func appendLittleEndian(_ value: UInt64, to buffer: inout [UInt8]) {
        appendLittleEndian(UInt32(truncatingIfNeeded: value), to: &buffer)
        appendLittleEndian(UInt32(truncatingIfNeeded: value >> 32), to: &buffer)
    }

    static func loadUInt32(_ bytes: UnsafeRawBufferPointer, at index: Int) -> UInt32 {
        UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16
            | UInt32(bytes[index + 3]) << 24
    }

    static func loadUInt64(_ bytes: UnsafeRawBufferPointer, at index: Int) -> UInt64 {
        UInt64(loadUInt32(bytes, at: index)) | UInt64(loadUInt32(bytes, at: index + 4)) << 32
    }

    /// Whether a complete, checksum-valid frame starts at `bytes[index]`, or how many bytes from `index` are
    /// needed to tell. `fileRemaining` is how many bytes the file holds from `index` on.
    static func validate(
        _ bytes: UnsafeRawBufferPointer, at index: Int, fileRemaining: Int64
    ) -> Validation {
        guard fileRemaining >= Int64(headerSize) else { return .invalid }
        guard bytes.count - index >= headerSize else { return .needMore(headerSize) }
        guard loadUInt32(bytes, at: index) == magic else { return .invalid }
        let length = Int(loadUInt32(bytes, at: index + 4))
        guard length <= maxPayload, Int64(headerSize + length) <= fileRemaining else { return .invalid }
        guard bytes.count - index >= headerSize + length else { return .needMore(headerSize + length) }
        let stored = loadUInt32(bytes, at: index + 8)
        let lengthField = UnsafeRawBufferPointer(rebasing: bytes[(index + 4)..<(index + 8)])
        let payload = UnsafeRawBufferPointer(rebasing: bytes[(index + headerSize)..<(index + headerSize + length)])
        let crc = CRC32C.update(CRC32C.update(0, lengthField), payload)
        return crc == stored ? .valid(payloadLength: length) : .invalid
    }

    /// The outcome of ``validate(_:at:fileRemaining:)``.
    enum Validation {
        case valid(payloadLength: Int)
        case invalid
        case needMore(Int)
    }
}
