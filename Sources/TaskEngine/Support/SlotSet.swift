/// A set of task slots kept compressed by block, for the posting lists of the text index.
///
/// Slots are split into blocks of 65,536 by their upper bits. A block holds its lower 16 bits either as a
/// sorted array (2 bytes a slot, while sparse) or as a bitmap of 8 KiB (one bit a slot, once more than
/// 4,096 slots share the block), the layout of Roaring bitmaps. A posting that nearly every task has costs
/// about a bit per task instead of four bytes, intersecting two dense blocks is 1,024 word ANDs, and
/// counting them is a popcount.
struct SlotSet: Sendable, Equatable {
    /// One block of 65,536 slots: `bits` when dense, `sorted` otherwise.
    struct Block: Sendable, Equatable {
        var key: UInt16
        var sorted: [UInt16] = []
        var bits: [UInt64] = []
        var count = 0

        static let wordCount = 1024
        /// Above this many slots a block becomes a bitmap; below `sparseLimit` it goes back to an array.
        static let denseLimit = 4096
        static let sparseLimit = 2048

        var isBitmap: Bool { !bits.isEmpty }

        init(key: UInt16) { self.key = key }

        /// The block of distinct `lows` given in ascending order, laid out as inserting them one by one
        /// would leave it: a bitmap above ``denseLimit``, a sorted array otherwise.
        init(key: UInt16, ascending lows: some Collection<UInt16>) {
            self.key = key
            count = lows.count
            if count > Self.denseLimit {
                bits = [UInt64](repeating: 0, count: Self.wordCount)
                for value in lows { bits[Int(value >> 6)] |= 1 << UInt64(value & 63) }
            } else {
                sorted = Array(lows)
            }
        }

        func contains(_ low: UInt16) -> Bool {
            if isBitmap { return bits[Int(low >> 6)] & (1 << UInt64(low & 63)) != 0 }
            return Self.position(of: low, in: sorted).found
        }

        static func position(of low: UInt16, in sorted: [UInt16]) -> (index: Int, found: Bool) {
            var lower = 0
            var upper = sorted.count
            while lower < upper {
                let middle = (lower + upper) / 2
                if sorted[middle] < low { lower = middle + 1 } else { upper = middle }
            }
            return (lower, lower < sorted.count && sorted[lower] == low)
        }

        mutating func insert(_ low: UInt16) -> Bool {
            if isBitmap {
                let word = Int(low >> 6)
                let bit = UInt64(1) << UInt64(low & 63)
                if bits[word] & bit != 0 { return false }
                bits[word] |= bit
                count += 1
                return true
            }
            // Slots mostly arrive in increasing order: appending is the common case.
            if let last = sorted.last, last < low {
                sorted.append(low)
            } else if sorted.last == low {
                return false
            } else {
                let (index, found) = Self.position(of: low, in: sorted)
                if found { return false }
                sorted.insert(low, at: index)
            }
            count += 1
            if count > Self.denseLimit {
                bits = [UInt64](repeating: 0, count: Self.wordCount)
                for value in sorted { bits[Int(value >> 6)] |= 1 << UInt64(value & 63) }
                sorted = []
            }
            return true
        }

        mutating func remove(_ low: UInt16) -> Bool {
            if isBitmap {
                let word = Int(low >> 6)
                let bit = UInt64(1) << UInt64(low & 63)
                if bits[word] & bit == 0 { return false }
                bits[word] &= ~bit
                count -= 1
                if count < Self.sparseLimit {
                    sorted = values(ascending: true)
                    bits = []
                }
                return true
            }
            let (index, found) = Self.position(of: low, in: sorted)
            guard found else { return false }
            sorted.remove(at: index)
            count -= 1
            return true
        }

        /// The block's lower bits in order.
        func values(ascending: Bool) -> [UInt16] {
            guard isBitmap else { return ascending ? sorted : sorted.reversed() }
            var result: [UInt16] = []
            result.reserveCapacity(count)
            for word in 0..<Self.wordCount {
                var value = bits[word]
                while value != 0 {
                    result.append(UInt16(word << 6 | value.trailingZeroBitCount))
                    value &= value - 1
                }
            }
            return ascending ? result : result.reversed()
        }

        /// The slots in both blocks (same key).
        static func intersection(_ lhs: Block, _ rhs: Block) -> Block {
            var result = Block(key: lhs.key)
            switch (lhs.isBitmap, rhs.isBitmap) {
            case (true, true):
                var bits = [UInt64](repeating: 0, count: wordCount)
                var count = 0
                for word in 0..<wordCount {
                    let both = lhs.bits[word] & rhs.bits[word]
                    bits[word] = both
                    count += both.nonzeroBitCount
                }
                if count == 0 { return result }
                result.count = count
                if count > sparseLimit {
                    result.bits = bits
                } else {
                    result.bits = bits
                    result.sorted = result.values(ascending: true)
                    result.bits = []
                }
            case (false, true), (true, false):
                let (array, bitmap) = lhs.isBitmap ? (rhs, lhs) : (lhs, rhs)
                result.sorted = array.sorted.filter(bitmap.contains)
                result.count = result.sorted.count
            case (false, false):
                var left = 0
                var right = 0
                let a = lhs.sorted
                let b = rhs.sorted
                while left < a.count, right < b.count {
                    if a[left] < b[right] {
                        left += 1
                    } else if a[left] > b[right] {
                        right += 1
                    } else {
                        result.sorted.append(a[left])
                        left += 1
                        right += 1
                    }
                }
                result.count = result.sorted.count
            }
            return result
        }

        /// The number of slots in both blocks (same key).
        static func intersectionCount(_ lhs: Block, _ rhs: Block) -> Int {
            switch (lhs.isBitmap, rhs.isBitmap) {
            case (true, true):
                var count = 0
                for word in 0..<wordCount { count += (lhs.bits[word] & rhs.bits[word]).nonzeroBitCount }
                return count
            case (false, true): return lhs.sorted.reduce(0) { $0 + (rhs.contains($1) ? 1 : 0) }
            case (true, false): return rhs.sorted.reduce(0) { $0 + (lhs.contains($1) ? 1 : 0) }
            case (false, false): return intersection(lhs, rhs).count
            }
        }
    }

    private var blocks: [Block] = []
    /// The number of slots.
    private(set) var count = 0

    init() {}

    var isEmpty: Bool { count == 0 }

    /// The index of the block with `key`, or where it would go.
    private func blockIndex(_ key: UInt16) -> (index: Int, found: Bool) {
        if let last = blocks.last, last.key <= key {
            return last.key == key ? (blocks.count - 1, true) : (blocks.count, false)
        }
        var lower = 0
        var upper = blocks.count
        while lower < upper {
            let middle = (lower + upper) / 2
            if blocks[middle].key < key { lower = middle + 1 } else { upper = middle }
        }
        return (lower, lower < blocks.count && blocks[lower].key == key)
    }

    func contains(_ slot: Int32) -> Bool {
        let (index, found) = blockIndex(UInt16(truncatingIfNeeded: slot >> 16))
        return found && blocks[index].contains(UInt16(truncatingIfNeeded: slot))
    }

    /// Adds a slot; returns `false` when it was there already.
    @discardableResult
    mutating func insert(_ slot: Int32) -> Bool {
        let key = UInt16(truncatingIfNeeded: slot >> 16)
        let (index, found) = blockIndex(key)
        if !found { blocks.insert(Block(key: key), at: index) }
        guard blocks[index].insert(UInt16(truncatingIfNeeded: slot)) else { return false }
        count += 1
        return true
    }

    /// Adds a block whose key is above every block's here (building a set block by block).
    mutating func append(_ block: Block) {
        precondition(blocks.last.map { $0.key < block.key } ?? true, "blocks out of order")
        blocks.append(block)
        count += block.count
    }

    /// Removes a slot; returns `false` when it was not there.
    @discardableResult
    mutating func remove(_ slot: Int32) -> Bool {
        let (index, found) = blockIndex(UInt16(truncatingIfNeeded: slot >> 16))
        guard found, blocks[index].remove(UInt16(truncatingIfNeeded: slot)) else { return false }
        count -= 1
        if blocks[index].count == 0 { blocks.remove(at: index) }
        return true
    }

    /// Calls `body` with every slot, ascending or descending, until it returns `false`.
    func forEach(ascending: Bool = true, _ body: (Int32) -> Bool) {
        let order = ascending ? Array(blocks.indices) : blocks.indices.reversed()
        for index in order {
            let high = Int32(blocks[index].key) << 16
            if !blocks[index].isBitmap {
                let sorted = blocks[index].sorted
                if ascending {
                    for low in sorted where !body(high | Int32(low)) { return }
                } else {
                    for low in sorted.reversed() where !body(high | Int32(low)) { return }
                }
                continue
            }
            let bits = blocks[index].bits
            if ascending {
                for word in 0..<Block.wordCount {
                    var value = bits[word]
                    while value != 0 {
                        if !body(high | Int32(word << 6 | value.trailingZeroBitCount)) { return }
                        value &= value - 1
                    }
                }
            } else {
                for word in (0..<Block.wordCount).reversed() {
                    var value = bits[word]
                    while value != 0 {
                        let bit = 63 - value.leadingZeroBitCount
                        if !body(high | Int32(word << 6 | bit)) { return }
                        value &= ~(UInt64(1) << UInt64(bit))
                    }
                }
            }
        }
    }

    /// The slots in both sets.
    func intersection(_ other: SlotSet) -> SlotSet {
        var result = SlotSet()
        var left = 0
        var right = 0
        while left < blocks.count, right < other.blocks.count {
            let a = blocks[left]
            let b = other.blocks[right]
            if a.key < b.key {
                left += 1
            } else if a.key > b.key {
                right += 1
            } else {
                let both = Block.intersection(a, b)
                if both.count > 0 {
                    result.blocks.append(both)
                    result.count += both.count
                }
                left += 1
                right += 1
            }
        }
        return result
    }

    /// The number of slots in both sets, without building the intersection.
    func intersectionCount(_ other: SlotSet) -> Int {
        var count = 0
        var left = 0
        var right = 0
        while left < blocks.count, right < other.blocks.count {
            if blocks[left].key < other.blocks[right].key {
                left += 1
            } else if blocks[left].key > other.blocks[right].key {
                right += 1
            } else {
                count += Block.intersectionCount(blocks[left], other.blocks[right])
                left += 1
                right += 1
            }
        }
        return count
    }

    /// Bytes of slot storage (arrays and bitmaps), for memory accounting.
    var storageBytes: Int {
        blocks.reduce(0) { $0 + $1.sorted.count * 2 + $1.bits.count * 8 + 32 }
    }
}
