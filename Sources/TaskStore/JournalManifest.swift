import Glibc

/// `journal.manifest`: the first record of the newest journal segment, so that a missing newest segment is
/// found instead of read as a journal that simply ends earlier.
///
/// Records are numbered by position, so the chain of segments proves nothing is missing *between* two
/// segments, and the snapshot boundary proves nothing is missing before the first one; but a deleted newest
/// segment leaves a journal that looks complete and ends early, and every change it held would be lost in
/// silence. The manifest names that segment. It is rewritten (temporary file, `fsync`, `rename`, directory
/// `fsync`) each time a new segment becomes the newest, after the segment itself is in place: a crash in
/// between leaves a manifest naming the segment before, which is still there. A segment the manifest names
/// must therefore exist; newer ones may. A directory without the file (written by an earlier release) opens
/// as before, and the first open writes it.
///
/// `[magic u32 = 1A 54 57 4D][version u32 = 1][first record of the newest segment u64][crc32c u32 over the
/// 12 bytes before it]`, little-endian.
enum JournalManifest {
    /// `1A 54 57 4D` on disk ("\u{1A}TWM").
    static let magic: UInt32 = 0x4D57_541A
    static let version: UInt32 = 1
    static let size = 20

    /// What reading the manifest found.
    enum Contents: Equatable {
        /// No manifest: a directory an earlier release wrote, or one that was never opened.
        case absent
        /// The newest segment starts at this record.
        case newestSegment(firstRecord: UInt64)
        /// The file exists but does not verify.
        case damaged(String)
    }

    static func encode(newestSegmentFirstRecord first: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        JournalFrame.appendLittleEndian(magic, to: &bytes)
        JournalFrame.appendLittleEndian(version, to: &bytes)
        JournalFrame.appendLittleEndian(first, to: &bytes)
        JournalFrame.appendLittleEndian(CRC32C.update(0, Array(bytes[4..<16])), to: &bytes)
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> Contents {
        guard bytes.count == size else {
            return .damaged("it holds \(bytes.count) bytes instead of \(size)")
        }
        return bytes.withUnsafeBytes { raw in
            guard JournalFrame.loadUInt32(raw, at: 0) == magic else {
                return .damaged("its header is not a manifest's")
            }
            guard JournalFrame.loadUInt32(raw, at: 16) == CRC32C.update(0, Array(bytes[4..<16])) else {
                return .damaged("its checksum does not match")
            }
            let version = JournalFrame.loadUInt32(raw, at: 4)
            guard version == Self.version else {
                return .damaged(
                    "it has format version \(version), which this build does not know (a newer release wrote it)")
            }
            return .newestSegment(firstRecord: JournalFrame.loadUInt64(raw, at: 8))
        }
    }

    static func read(directory: String, fileSystem: any FileSystem) throws(StoreError) -> Contents {
        let path = StorePaths.join(directory, StorePaths.manifest)
        guard fileSystem.exists(path) else { return .absent }
        let file = try fileSystem.open(path, flags: O_RDONLY, mode: 0)
        defer { fileSystem.close(file) }
        return decode(try fileSystem.read(file, count: size + 1, at: 0))
    }

    /// Replaces the manifest durably: it names `firstRecord` once this returns, and a crash leaves the old one.
    static func write(
        newestSegmentFirstRecord firstRecord: UInt64, directory: String, fileSystem: any FileSystem
    )
        throws(StoreError)
    {
        let path = StorePaths.join(directory, StorePaths.manifest)
        let temporary = path + StorePaths.temporarySuffix
        let file = try fileSystem.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        do {
            defer { fileSystem.close(file) }
            try fileSystem.write(file, encode(newestSegmentFirstRecord: firstRecord), at: 0)
            try fileSystem.sync(file)
        } catch {
            try? fileSystem.remove(temporary)
            throw error
        }
        try fileSystem.rename(temporary, to: path)
        try fileSystem.syncDirectory(directory)
    }
}
