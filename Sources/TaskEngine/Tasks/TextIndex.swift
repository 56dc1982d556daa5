import Dispatch
import Locking

/// The index behind `tasks.list {q}`: for every one-, two- and three-byte run of ASCII in a live task's
/// lower-cased title or description, the set of tasks that contain it.
///
/// A search intersects the sets of the needle's grams (smallest first) and checks the few candidates left
/// against the real text with ``ResolvedQuery/contains(_:_:)``, so the answer is exactly the one a scan of
/// every task gives. The sets only ever hold too much, never too little: a task matching the needle holds
/// every gram the needle's plain ASCII characters form (see ``plan(_:)``), whatever Unicode surrounds them.
///
/// Only ASCII is indexed. A needle without any ASCII character it can rely on (all CJK, say) has no plan,
/// and the list scans as it always did.
struct TextIndex: Sendable {
    /// Sets by one-byte gram (index: the byte), created on first use.
    private var unigrams: [SlotSet] = []
    /// Sets by two-byte gram (index: `first << 7 | second`), created on first use.
    private var bigrams: [SlotSet] = []
    /// Sets by three-byte gram, found through `trigramTable`.
    private var trigrams: [SlotSet] = []
    private var trigramTable = GramTable()
    /// Live tasks whose title or description holds any non-ASCII character: for them, holding a gram
    /// proves nothing, so they are always checked against their text.
    private(set) var irregular = SlotSet()

    /// What a search needs: the tasks that may match, and whether holding them proves a match.
    struct Plan {
        /// Every task that matches is here; with `exact`, every task here and not ``TextIndex/irregular``
        /// matches too.
        var candidates: SlotSet
        var exact: Bool
    }

    init() {}

    /// The index of every live task of `tasks`, whose slots are their positions: what inserting them one by
    /// one gives, built block by block (``TextIndex/Chunk``) on every core.
    static func build<Tasks: RandomAccessCollection<TaskItem> & Sendable>(from tasks: Tasks) -> TextIndex
    where Tasks.Index == Int {
        let chunkCount = (tasks.count + Chunk.slots - 1) / Chunk.slots
        let chunks = Mutex([Chunk?](repeating: nil, count: chunkCount))
        DispatchQueue.concurrentPerform(iterations: chunkCount) { number in
            let chunk = Chunk(tasks, number: number)
            chunks.withLock { $0[number] = chunk }
        }
        var index = TextIndex()
        for chunk in chunks.withLock({ $0 }) {
            if let chunk { index.append(chunk) }
        }
        return index
    }

    mutating func insert(_ task: TaskItem, at slot: Int32) {
        if Self.hasNonASCII(task.title) || task.description.map(Self.hasNonASCII) == true { irregular.insert(slot) }
        Self.forEachGram(of: task) { kind, code in
            switch kind {
            case 1:
                if unigrams.isEmpty { unigrams = Array(repeating: SlotSet(), count: 128) }
                unigrams[Int(code)].insert(slot)
            case 2:
                if bigrams.isEmpty { bigrams = Array(repeating: SlotSet(), count: 1 << 14) }
                bigrams[Int(code)].insert(slot)
            default:
                let index = trigramTable.index(of: code, adding: trigrams.count)
                if index == trigrams.count { trigrams.append(SlotSet()) }
                trigrams[Int(index)].insert(slot)
            }
        }
    }

    mutating func remove(_ task: TaskItem, at slot: Int32) {
        irregular.remove(slot)
        Self.forEachGram(of: task) { kind, code in
            switch kind {
            case 1: unigrams[Int(code)].remove(slot)
            case 2: bigrams[Int(code)].remove(slot)
            default:
                if let index = trigramTable.index(of: code) { trigrams[Int(index)].remove(slot) }
            }
        }
    }

    /// Moves a task's entries when its text changed; does nothing otherwise.
    mutating func update(from old: TaskItem, to new: TaskItem, at slot: Int32) {
        guard old.title != new.title || old.description != new.description else { return }
        remove(old, at: slot)
        insert(new, at: slot)
    }

    /// The candidates for an already lower-cased needle, or `nil` when the index cannot narrow it.
    ///
    /// Only the needle's *plain* ASCII characters are used: ASCII followed by ASCII (or ending the needle).
    /// Such a character is a grapheme of its own, and the only text equal to it (Swift compares strings by
    /// canonical equivalence) is the same byte or one of three singletons the index maps onto it (U+212A
    /// lower-cases to `k`; U+037E is `;` and U+1FEF is `` ` ``). An ASCII character followed by, say, a
    /// combining accent is left out, since the task may hold the precomposed letter instead.
    func plan(_ needle: String) -> Plan? {
        var runs: [[UInt8]] = []
        var run: [UInt8] = []
        let scalars = Array(needle.unicodeScalars)
        for (position, scalar) in scalars.enumerated() {
            let next = position + 1 < scalars.count ? scalars[position + 1] : nil
            if scalar.isASCII, next?.isASCII ?? true {
                run.append(UInt8(scalar.value))
            } else if !run.isEmpty {
                runs.append(run)
                run = []
            }
        }
        if !run.isEmpty { runs.append(run) }
        guard !runs.isEmpty else { return nil }
        var sets: [SlotSet] = []
        for run in runs {
            for code in Self.grams(of: run, length: min(3, run.count)) {
                switch run.count {
                case 1: sets.append(unigrams.isEmpty ? SlotSet() : unigrams[Int(code)])
                case 2: sets.append(bigrams.isEmpty ? SlotSet() : bigrams[Int(code)])
                default: sets.append(trigramTable.index(of: code).map { trigrams[Int($0)] } ?? SlotSet())
                }
            }
        }
        sets.sort { $0.count < $1.count }
        var candidates = sets[0]
        for set in sets.dropFirst() {
            if candidates.isEmpty { break }
            candidates = candidates.intersection(set)
        }
        let exact = runs.count == 1 && runs[0].count == scalars.count && scalars.count <= 3
        return Plan(candidates: candidates, exact: exact)
    }

    /// Every non-empty set, by gram kind (1, 2 or 3) and code: what two indexes of the same tasks share.
    var gramSets: [[UInt32]: SlotSet] {
        var sets: [[UInt32]: SlotSet] = [:]
        for (code, set) in unigrams.enumerated() where !set.isEmpty { sets[[1, UInt32(code)]] = set }
        for (code, set) in bigrams.enumerated() where !set.isEmpty { sets[[2, UInt32(code)]] = set }
        for code in trigramTable.allCodes {
            if let index = trigramTable.index(of: code), !trigrams[Int(index)].isEmpty {
                sets[[3, code]] = trigrams[Int(index)]
            }
        }
        return sets
    }

    /// Bytes the index holds, for memory accounting.
    var storageBytes: Int {
        (unigrams + bigrams + trigrams).reduce(irregular.storageBytes) { $0 + $1.storageBytes + 16 }
            + trigramTable.storageBytes
    }

    // MARK: Grams

    fileprivate static func hasNonASCII(_ text: String) -> Bool {
        text.utf8.contains { $0 >= 0x80 }
    }

    /// The bytes a text is indexed by: its lower-cased form with every non-ASCII scalar as 0x80 (a break),
    /// except the two singletons canonically equal to an ASCII character.
    private static func key(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        // ASCII lower-cases byte by byte; only other text needs the Unicode rules.
        if !hasNonASCII(text) {
            for byte in text.utf8 { bytes.append(byte &- 0x41 < 26 ? byte | 0x20 : byte) }
            return bytes
        }
        let lower = text.lowercased()
        if !hasNonASCII(lower) { return Array(lower.utf8) }
        for scalar in lower.unicodeScalars {
            switch scalar.value {
            case 0..<0x80: bytes.append(UInt8(scalar.value))
            case 0x037E: bytes.append(UInt8(ascii: ";"))
            case 0x1FEF: bytes.append(UInt8(ascii: "`"))
            default: bytes.append(0x80)
            }
        }
        return bytes
    }

    /// The codes of every gram of `length` bytes in an all-ASCII run.
    private static func grams(of run: [UInt8], length: Int) -> [UInt32] {
        guard run.count >= length else { return [] }
        return (0...(run.count - length)).map { start in
            (start..<start + length).reduce(UInt32(0)) { $0 << 7 | UInt32(run[$1]) }
        }
    }

    /// Calls `body` with the length and code of every gram of the task's title and description (a gram
    /// never spans the two, nor a non-ASCII character).
    fileprivate static func forEachGram(of task: TaskItem, _ body: (_ kind: Int, _ code: UInt32) -> Void) {
        for text in [task.title, task.description ?? ""] where !text.isEmpty {
            let bytes = key(text)
            var previous: UInt32 = 0
            var ascii = 0
            for byte in bytes {
                guard byte < 0x80 else {
                    ascii = 0
                    continue
                }
                ascii += 1
                previous = (previous << 7 | UInt32(byte)) & 0x1F_FFFF
                body(1, UInt32(byte))
                if ascii >= 2 { body(2, previous & 0x3FFF) }
                if ascii >= 3 { body(3, previous) }
            }
        }
    }
}

// MARK: Building at once

extension TextIndex {
    /// The part of the index for one block of 65,536 slots (one ``SlotSet/Block`` of every set), built from
    /// its tasks alone: each task's distinct grams are listed and counted, then the slots are laid out gram by
    /// gram in one pass. The sets of the whole index are the chunks' blocks one after another.
    fileprivate struct Chunk: Sendable {
        static let slots = 1 << 16

        /// The three gram kinds in one code space: one-byte grams, then two-byte, then three-byte ones.
        static let bigramBase: UInt32 = 128
        static let trigramBase: UInt32 = bigramBase + (1 << 14)
        static let codeSpace = Int(trigramBase) + (1 << 21)

        /// Codes present, ascending, and the block of each.
        var codes: [UInt32] = []
        var blocks: [SlotSet.Block] = []
        var irregular: SlotSet.Block

        init<Tasks: RandomAccessCollection<TaskItem>>(_ tasks: Tasks, number: Int) where Tasks.Index == Int {
            let key = UInt16(number)
            let start = number * Self.slots
            let end = min(tasks.count, start + Self.slots)
            var irregularLows: [UInt16] = []
            // The distinct codes of each task, one task after another, and how many tasks hold each code.
            var taskCodes: [UInt32] = []
            var taskEnds = [Int](repeating: 0, count: end - start)
            var counts = [Int32](repeating: 0, count: Self.codeSpace)
            var lastTask = [Int32](repeating: -1, count: Self.codeSpace)
            for slot in start..<end {
                let low = Int32(slot - start)
                let task = tasks[slot]
                if !task.isDeleted {
                    if TextIndex.hasNonASCII(task.title) || task.description.map(TextIndex.hasNonASCII) == true {
                        irregularLows.append(UInt16(low))
                    }
                    TextIndex.forEachGram(of: task) { kind, code in
                        let combined = Int(
                            kind == 1 ? code : kind == 2 ? Self.bigramBase + code : Self.trigramBase + code)
                        guard lastTask[combined] != low else { return }
                        lastTask[combined] = low
                        counts[combined] += 1
                        taskCodes.append(UInt32(combined))
                    }
                }
                taskEnds[Int(low)] = taskCodes.count
            }
            irregular = SlotSet.Block(key: key, ascending: irregularLows)
            // Where each code's slots start in `lows`, then the slots themselves, ascending within each code.
            var next = lastTask
            var total: Int32 = 0
            for code in 0..<Self.codeSpace where counts[code] > 0 {
                codes.append(UInt32(code))
                next[code] = total
                total += counts[code]
            }
            var lows = [UInt16](repeating: 0, count: Int(total))
            var begin = 0
            for low in 0..<(end - start) {
                for position in begin..<taskEnds[low] {
                    let code = Int(taskCodes[position])
                    lows[Int(next[code])] = UInt16(low)
                    next[code] += 1
                }
                begin = taskEnds[low]
            }
            blocks.reserveCapacity(codes.count)
            var offset = 0
            for code in codes {
                let count = Int(counts[Int(code)])
                blocks.append(SlotSet.Block(key: key, ascending: lows[offset..<offset + count]))
                offset += count
            }
        }
    }

    /// Adds a chunk's blocks after every block the sets hold.
    fileprivate mutating func append(_ chunk: Chunk) {
        if chunk.irregular.count > 0 { irregular.append(chunk.irregular) }
        for (code, block) in zip(chunk.codes, chunk.blocks) {
            if code < Chunk.bigramBase {
                if unigrams.isEmpty { unigrams = Array(repeating: SlotSet(), count: 128) }
                unigrams[Int(code)].append(block)
            } else if code < Chunk.trigramBase {
                if bigrams.isEmpty { bigrams = Array(repeating: SlotSet(), count: 1 << 14) }
                bigrams[Int(code - Chunk.bigramBase)].append(block)
            } else {
                let index = trigramTable.index(of: code - Chunk.trigramBase, adding: trigrams.count)
                if index == trigrams.count { trigrams.append(SlotSet()) }
                trigrams[Int(index)].append(block)
            }
        }
    }
}

/// An open-addressing table from a three-byte gram code (21 bits) to the index of its set.
private struct GramTable: Sendable {
    /// `code + 1` (0: empty) and the set's index, side by side.
    private var codes: [UInt32] = []
    private var indexes: [Int32] = []
    private var count = 0

    var storageBytes: Int { codes.count * 8 }

    /// Every code in the table.
    var allCodes: [UInt32] { codes.compactMap { $0 == 0 ? nil : $0 - 1 } }

    private func slot(for code: UInt32) -> Int {
        Int(truncatingIfNeeded: (code &* 0x9E37_79B1) >> 7) & (codes.count - 1)
    }

    func index(of code: UInt32) -> Int32? {
        guard !codes.isEmpty else { return nil }
        var position = slot(for: code)
        while codes[position] != 0 {
            if codes[position] == code + 1 { return indexes[position] }
            position = (position + 1) & (codes.count - 1)
        }
        return nil
    }

    /// The index of `code`, adding it with `next` when absent.
    mutating func index(of code: UInt32, adding next: Int) -> Int32 {
        if count * 2 >= codes.count { grow() }
        var position = slot(for: code)
        while codes[position] != 0 {
            if codes[position] == code + 1 { return indexes[position] }
            position = (position + 1) & (codes.count - 1)
        }
        codes[position] = code + 1
        indexes[position] = Int32(next)
        count += 1
        return Int32(next)
    }

    private mutating func grow() {
        let oldCodes = codes
        let oldIndexes = indexes
        let capacity = max(1024, codes.count * 2)
        codes = Array(repeating: 0, count: capacity)
        indexes = Array(repeating: 0, count: capacity)
        for (position, code) in oldCodes.enumerated() where code != 0 {
            var target = slot(for: code - 1)
            while codes[target] != 0 { target = (target + 1) & (capacity - 1) }
            codes[target] = code
            indexes[target] = oldIndexes[position]
        }
    }
}
