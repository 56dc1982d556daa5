/// Streams a file through one large buffer, so scanning a journal costs one `pread` per few megabytes.
final class ChunkReader {
    private let fileSystem: any FileSystem
    private let file: OpenFile
    let fileSize: Int64
    private var storage: UnsafeMutableRawBufferPointer
    /// The file offset of `storage[0]`.
    private(set) var start: Int64 = 0
    /// How many bytes of `storage` hold file data.
    private(set) var count = 0

    init(fileSystem: any FileSystem, file: OpenFile, fileSize: Int64, chunkSize: Int = 8 << 20) {
        self.fileSystem = fileSystem
        self.file = file
        self.fileSize = fileSize
        storage = .allocate(byteCount: chunkSize, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// The buffered bytes from `offset` on, holding at least `minimum` bytes unless the file ends first.
    func bytes(from offset: Int64, minimum: Int) throws(StoreError) -> UnsafeRawBufferPointer {
        let wanted = Int(min(Int64(minimum), max(0, fileSize - offset)))
        if offset < start || offset + Int64(wanted) > start + Int64(count) {
            try refill(at: offset, minimum: wanted)
        }
        let index = Int(offset - start)
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[index..<count])
    }

    private func refill(at offset: Int64, minimum: Int) throws(StoreError) {
        if minimum > storage.count {
            storage.deallocate()
            storage = .allocate(byteCount: minimum, alignment: 16)
        }
        start = offset
        count = 0
        let target = Int(min(Int64(storage.count), fileSize - offset))
        while count < target {
            let got = try fileSystem.read(
                file, into: UnsafeMutableRawBufferPointer(rebasing: storage[count..<target]),
                at: offset + Int64(count))
            if got == 0 { break }
            count += got
        }
    }
}
