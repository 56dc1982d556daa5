/// Every committed event, as the compact bytes the journal holds, with a per-task chain for history.
///
/// Bytes live in large shared chunks rather than one array per event, so a million events cost their bytes
/// plus a few integers each. Event `seq` n is entry n - 1.
struct EventLog: Sendable {
    private struct Reference: Sendable {
        var chunk: Int32
        var offset: Int32
        var length: Int32
    }

    private static var chunkCapacity: Int { 1 << 20 }

    private var chunks: [[UInt8]] = []
    private var references: [Reference] = []
    /// For each event, the index of the previous event of the same task, or -1.
    private var previous: [Int32] = []
    /// For each task slot, the index of its newest event, or -1.
    private var newestBySlot: [Int32] = []

    /// The number of events, which is also the newest `seq`.
    var count: Int { references.count }

    /// The bytes of every event together.
    var byteCount: Int { chunks.reduce(0) { $0 + $1.count } }

    /// Appends an event's bytes for the task in `slot`; a negative slot is an event of no task (identity
    /// events), kept in `seq` order but in no task's history.
    mutating func append(_ bytes: some Collection<UInt8>, slot: Int32) {
        if chunks.isEmpty || chunks[chunks.count - 1].count + bytes.count > Self.chunkCapacity {
            var chunk: [UInt8] = []
            chunk.reserveCapacity(max(Self.chunkCapacity, bytes.count))
            chunks.append(chunk)
        }
        let chunkIndex = chunks.count - 1
        let offset = chunks[chunkIndex].count
        chunks[chunkIndex].append(contentsOf: bytes)
        references.append(Reference(chunk: Int32(chunkIndex), offset: Int32(offset), length: Int32(bytes.count)))
        guard slot >= 0 else {
            previous.append(-1)
            return
        }
        while newestBySlot.count <= Int(slot) { newestBySlot.append(-1) }
        previous.append(newestBySlot[Int(slot)])
        newestBySlot[Int(slot)] = Int32(references.count - 1)
    }

    /// The bytes of event `index` (its `seq` minus one).
    func bytes(at index: Int) -> ArraySlice<UInt8> {
        let reference = references[index]
        let start = Int(reference.offset)
        return chunks[Int(reference.chunk)][start..<start + Int(reference.length)]
    }

    /// The indexes of a task's events, oldest first.
    func indexes(ofSlot slot: Int32) -> [Int] {
        guard slot >= 0, Int(slot) < newestBySlot.count else { return [] }
        var result: [Int] = []
        var index = newestBySlot[Int(slot)]
        while index >= 0 {
            result.append(Int(index))
            index = previous[Int(index)]
        }
        return result.reversed()
    }
}
