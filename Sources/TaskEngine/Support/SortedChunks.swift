/// A sorted set kept as a list of small sorted arrays (a flat, two-level B-tree).
///
/// Inserting or removing costs a binary search plus a move of at most one chunk, so building a million
/// entries stays linear instead of quadratic, and iterating in either direction from any bound is cheap.
/// The list indexes use it for every ordering and every per-value id set.
struct SortedChunks<Element: Comparable & Sendable>: Sendable {
    private static var chunkCapacity: Int { 512 }

    private var chunks: [[Element]] = []
    /// The number of elements.
    private(set) var count = 0

    init() {}

    /// A set of elements given in strictly ascending order, built in one pass (chunks three quarters full,
    /// leaving room for later inserts before a chunk splits).
    init(ascending elements: some Collection<Element>) {
        let fill = Self.chunkCapacity * 3 / 4
        var chunk: [Element] = []
        chunk.reserveCapacity(fill)
        for element in elements {
            if chunk.count == fill {
                chunks.append(chunk)
                chunk = []
                chunk.reserveCapacity(fill)
            }
            chunk.append(element)
        }
        if !chunk.isEmpty { chunks.append(chunk) }
        count = elements.count
    }

    var isEmpty: Bool { count == 0 }

    /// The index of the first chunk whose last element is not below `element` (or `chunks.count`).
    private func chunkIndex(for element: Element) -> Int {
        var low = 0
        var high = chunks.count
        while low < high {
            let middle = (low + high) / 2
            if let last = chunks[middle].last, last < element { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func position(of element: Element, in chunk: [Element]) -> Int {
        var low = 0
        var high = chunk.count
        while low < high {
            let middle = (low + high) / 2
            if chunk[middle] < element { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Adds an element; returns `false` when it was there already.
    @discardableResult
    mutating func insert(_ element: Element) -> Bool {
        if chunks.isEmpty {
            chunks.append([element])
            count = 1
            return true
        }
        var index = chunkIndex(for: element)
        if index == chunks.count {
            index -= 1
            // The common case: ids and times only grow, so most inserts append to the last chunk.
            if chunks[index].count < Self.chunkCapacity {
                chunks[index].append(element)
                count += 1
                return true
            }
        }
        let position = Self.position(of: element, in: chunks[index])
        if position < chunks[index].count, chunks[index][position] == element { return false }
        chunks[index].insert(element, at: position)
        count += 1
        if chunks[index].count > Self.chunkCapacity {
            let half = chunks[index].count / 2
            let upper = Array(chunks[index][half...])
            chunks[index].removeSubrange(half...)
            chunks.insert(upper, at: index + 1)
        }
        return true
    }

    /// Removes an element; returns `false` when it was not there.
    @discardableResult
    mutating func remove(_ element: Element) -> Bool {
        let index = chunkIndex(for: element)
        guard index < chunks.count else { return false }
        let position = Self.position(of: element, in: chunks[index])
        guard position < chunks[index].count, chunks[index][position] == element else { return false }
        chunks[index].remove(at: position)
        count -= 1
        if chunks[index].isEmpty { chunks.remove(at: index) }
        return true
    }

    /// Whether the set holds the element.
    func contains(_ element: Element) -> Bool {
        let index = chunkIndex(for: element)
        guard index < chunks.count else { return false }
        let position = Self.position(of: element, in: chunks[index])
        return position < chunks[index].count && chunks[index][position] == element
    }

    /// The number of elements below `element`.
    func rank(of element: Element) -> Int {
        let index = chunkIndex(for: element)
        var rank = 0
        for chunk in chunks[..<index] { rank += chunk.count }
        if index < chunks.count { rank += Self.position(of: element, in: chunks[index]) }
        return rank
    }

    /// The number of elements in `lower..<upper` (either bound may be open).
    func count(from lower: Element?, to upper: Element?) -> Int {
        let high = upper.map(rank(of:)) ?? count
        let low = lower.map(rank(of:)) ?? 0
        return max(0, high - low)
    }

    /// Calls `body` with the elements in `lower..<upper`, ascending or descending, until it returns `false`.
    func forEach(
        from lower: Element? = nil, to upper: Element? = nil, ascending: Bool = true,
        _ body: (Element) -> Bool
    ) {
        if ascending {
            var chunkIndex = lower.map(chunkIndex(for:)) ?? 0
            var position =
                lower.map { chunkIndex < chunks.count ? Self.position(of: $0, in: chunks[chunkIndex]) : 0 } ?? 0
            while chunkIndex < chunks.count {
                let chunk = chunks[chunkIndex]
                while position < chunk.count {
                    let element = chunk[position]
                    if let upper, element >= upper { return }
                    if !body(element) { return }
                    position += 1
                }
                chunkIndex += 1
                position = 0
            }
        } else {
            var chunkIndex: Int
            var position: Int
            if let upper {
                chunkIndex = self.chunkIndex(for: upper)
                if chunkIndex < chunks.count {
                    position = Self.position(of: upper, in: chunks[chunkIndex]) - 1
                } else {
                    chunkIndex = chunks.count - 1
                    position = chunkIndex >= 0 ? chunks[chunkIndex].count - 1 : -1
                }
            } else {
                chunkIndex = chunks.count - 1
                position = chunkIndex >= 0 ? chunks[chunkIndex].count - 1 : -1
            }
            while chunkIndex >= 0 {
                let chunk = chunks[chunkIndex]
                while position >= 0 {
                    let element = chunk[position]
                    if let lower, element < lower { return }
                    if !body(element) { return }
                    position -= 1
                }
                chunkIndex -= 1
                if chunkIndex >= 0 { position = chunks[chunkIndex].count - 1 }
            }
        }
    }

    /// Every element, ascending.
    var elements: [Element] {
        var result: [Element] = []
        result.reserveCapacity(count)
        for chunk in chunks { result.append(contentsOf: chunk) }
        return result
    }
}
