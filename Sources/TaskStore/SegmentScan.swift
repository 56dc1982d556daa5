/// What reading one journal segment found: how many valid records, where they end, and what follows them.
struct SegmentScan {
    /// What follows the last valid record.
    enum Tail: Equatable {
        /// Nothing, or only zeros (preallocated space).
        case clean
        /// Bytes that are not a valid record and are not followed by one: an interrupted write.
        case torn(Range<Int64>)
        /// An invalid record at this offset, followed by a valid one: durable data was damaged.
        case damaged(at: Int64)
    }

    /// The number of valid records.
    var records = 0
    /// The offset just after the last valid record, where the next one is written.
    var validEnd: Int64 = 0
    /// The sum of the framed sizes of the collected records.
    var collectedBytes = 0
    var tail = Tail.clean

    /// Reads every record of `file`, passing those after the first `skip` to `collect`.
    static func scan(
        fileSystem: any FileSystem, file: OpenFile, skip: Int = 0,
        collect: ((UnsafeRawBufferPointer) -> Void)? = nil
    ) throws(StoreError) -> SegmentScan {
        let size = try fileSystem.size(of: file)
        let reader = ChunkReader(fileSystem: fileSystem, file: file, fileSize: size)
        var result = SegmentScan()
        var offset: Int64 = 0
        var minimum = JournalFrame.headerSize
        scanning: while offset < size {
            let bytes = try reader.bytes(from: offset, minimum: minimum)
            var index = 0
            while true {
                switch JournalFrame.validate(bytes, at: index, fileRemaining: size - offset - Int64(index)) {
                case .valid(let length):
                    let frameSize = JournalFrame.headerSize + length
                    if result.records >= skip, let collect {
                        collect(
                            UnsafeRawBufferPointer(
                                rebasing: bytes[(index + JournalFrame.headerSize)..<(index + frameSize)]))
                        result.collectedBytes += frameSize
                    }
                    result.records += 1
                    index += frameSize
                    minimum = JournalFrame.headerSize
                case .needMore(let needed):
                    offset += Int64(index)
                    minimum = needed
                    continue scanning
                case .invalid:
                    offset += Int64(index)
                    break scanning
                }
            }
        }
        result.validEnd = offset
        result.tail = try classifyTail(reader: reader, from: offset)
        return result
    }

    /// Looks at everything after the last valid record: zeros are a clean end, garbage followed by a valid
    /// frame is damage, anything else is a torn tail.
    private static func classifyTail(reader: ChunkReader, from end: Int64) throws(StoreError) -> Tail {
        let size = reader.fileSize
        var lastNonZero: Int64 = -1
        var offset = end
        scanning: while offset < size {
            let bytes = try reader.bytes(from: offset, minimum: 1)
            let chunkStart = offset
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte != 0 { lastNonZero = chunkStart + Int64(index) }
                let position = chunkStart + Int64(index)
                if byte == 0x1A && position > end
                    && (index + 4 > bytes.count || JournalFrame.loadUInt32(bytes, at: index) == JournalFrame.magic)
                {
                    // Checking the candidate moves the reader's buffer, so continue from a fresh view after it.
                    if try frameIsValid(reader: reader, at: position) { return .damaged(at: end) }
                    offset = position + 1
                    continue scanning
                }
                index += 1
            }
            offset = chunkStart + Int64(bytes.count)
        }
        return lastNonZero >= end ? .torn(end..<(lastNonZero + 1)) : .clean
    }

    /// Whether a valid frame starts at `offset`; it moves the reader's buffer.
    private static func frameIsValid(reader: ChunkReader, at offset: Int64) throws(StoreError) -> Bool {
        let bytes = try reader.bytes(from: offset, minimum: JournalFrame.headerSize)
        switch JournalFrame.validate(bytes, at: 0, fileRemaining: reader.fileSize - offset) {
        case .valid: return true
        case .invalid: return false
        case .needMore(let needed):
            let longer = try reader.bytes(from: offset, minimum: needed)
            if case .valid = JournalFrame.validate(longer, at: 0, fileRemaining: reader.fileSize - offset) {
                return true
            }
            return false
        }
    }
}
