import Glibc

/// A snapshot on disk: `[magic u32][length u64][crc32c u32 over length and payload][payload]`, little-endian.
///
/// Written as a temporary file, fsync'd, renamed into place, and the directory fsync'd, so a snapshot either
/// exists whole under its final name or not at all.
enum SnapshotFile {
    /// `1A 54 57 53` on disk ("\u{1A}TWS").
    static let magic: UInt32 = 0x5357_541A
    static let headerSize = 16

    /// Writes the snapshot covering records up to `lastRecord` into `directory`, durably.
    static func write(
        _ payload: [UInt8], lastRecord: UInt64, directory: String, fileSystem: any FileSystem
    ) throws(StoreError) {
        let name = StorePaths.snapshotName(lastRecord: lastRecord)
        let finalPath = StorePaths.join(directory, name)
        let temporaryPath = finalPath + StorePaths.temporarySuffix
        var header: [UInt8] = []
        JournalFrame.appendLittleEndian(magic, to: &header)
        JournalFrame.appendLittleEndian(UInt64(payload.count), to: &header)
        let crc = payload.withUnsafeBytes { CRC32C.updateInParallel(CRC32C.update(0, Array(header[4..<12])), $0) }
        JournalFrame.appendLittleEndian(crc, to: &header)

        let file = try fileSystem.open(temporaryPath, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        do {
            defer { fileSystem.close(file) }
            try fileSystem.write(file, header, at: 0)
            try fileSystem.write(file, payload, at: Int64(headerSize))
            try fileSystem.sync(file)
        } catch {
            try? fileSystem.remove(temporaryPath)
            throw error
        }
        try fileSystem.rename(temporaryPath, to: finalPath)
        try fileSystem.syncDirectory(directory)
    }

    /// Reads and verifies a snapshot; a bad header or checksum throws ``StoreError/Code/damaged``.
    static func read(path: String, fileSystem: any FileSystem) throws(StoreError) -> [UInt8] {
        let file = try fileSystem.open(path, flags: O_RDONLY, mode: 0)
        defer { fileSystem.close(file) }
        let size = try fileSystem.size(of: file)
        let header = try fileSystem.read(file, count: headerSize, at: 0)
        let fields = header.withUnsafeBytes { raw -> (UInt32, UInt64, UInt32)? in
            guard raw.count == headerSize else { return nil }
            return (
                JournalFrame.loadUInt32(raw, at: 0), JournalFrame.loadUInt64(raw, at: 4),
                JournalFrame.loadUInt32(raw, at: 12)
            )
        }
        guard let (foundMagic, length, stored) = fields, foundMagic == magic,
            length == UInt64(max(0, size - Int64(headerSize)))
        else {
            throw StoreError(
                code: .damaged, message: "The snapshot's header is damaged or its length does not match the file.",
                location: path)
        }
        let payload = try fileSystem.read(file, count: Int(length), at: Int64(headerSize))
        let crc = payload.withUnsafeBytes { CRC32C.updateInParallel(CRC32C.update(0, Array(header[4..<12])), $0) }
        guard payload.count == Int(length), crc == stored else {
            throw StoreError(code: .damaged, message: "The snapshot's checksum does not match.", location: path)
        }
        return payload
    }
}
