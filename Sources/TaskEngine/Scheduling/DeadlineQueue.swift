/// A task's next planned fire time: microseconds since the epoch, then the slot to break ties.
struct Deadline: Comparable, Sendable {
    var time: Int64
    var slot: Int32

    static func < (lhs: Deadline, rhs: Deadline) -> Bool {
        lhs.time != rhs.time ? lhs.time < rhs.time : lhs.slot < rhs.slot
    }
}

/// The scheduler's priority structure: at most one deadline per task slot, earliest first.
///
/// An indexed binary min-heap: the earliest deadline is read in O(1), and planning, moving or dropping a
/// task's deadline costs O(log n), so a write that moves a due date never walks the other tasks.
struct DeadlineQueue: Sendable {
    private var heap: [Deadline] = []
    /// Where each slot's deadline sits in ``heap``, by slot; -1 (or past the end) when it has none. An
    /// array rather than a dictionary: slots are dense, and a million planned tasks cost 4 bytes each.
    private var positions: [Int32] = []

    /// The number of planned tasks.
    var count: Int { heap.count }

    /// The earliest deadline.
    var first: Deadline? { heap.first }

    /// The deadline planned for a slot.
    func deadline(of slot: Int32) -> Deadline? { position(of: slot).map { heap[$0] } }

    private func position(of slot: Int32) -> Int? {
        guard slot >= 0, Int(slot) < positions.count, positions[Int(slot)] >= 0 else { return nil }
        return Int(positions[Int(slot)])
    }

    private mutating func setPosition(_ position: Int, of slot: Int32) {
        while positions.count <= Int(slot) { positions.append(-1) }
        positions[Int(slot)] = Int32(position)
    }

    /// Replaces every deadline with `deadlines` (at most one per slot), heapified in linear time: planning
    /// a million tasks at start does not pay a sift per task.
    mutating func replaceAll(with deadlines: [Deadline]) {
        heap = deadlines
        positions = []
        if let highest = deadlines.lazy.map(\.slot).max() {
            positions = [Int32](repeating: -1, count: Int(highest) + 1)
        }
        for (index, deadline) in heap.enumerated() {
            precondition(positions[Int(deadline.slot)] == -1, "a slot is planned twice")
            positions[Int(deadline.slot)] = Int32(index)
        }
        var index = heap.count / 2 - 1
        while index >= 0 {
            siftDown(index)
            index -= 1
        }
    }

    /// Plans `slot` at `time`, moves it there, or (with `nil`) drops it.
    mutating func plan(_ slot: Int32, at time: Int64?) {
        guard let time else {
            remove(slot)
            return
        }
        let deadline = Deadline(time: time, slot: slot)
        if let index = position(of: slot) {
            let old = heap[index]
            guard old != deadline else { return }
            heap[index] = deadline
            if deadline < old { siftUp(index) } else { siftDown(index) }
        } else {
            heap.append(deadline)
            setPosition(heap.count - 1, of: slot)
            siftUp(heap.count - 1)
        }
    }

    /// Removes and returns the earliest deadline.
    mutating func popFirst() -> Deadline? {
        guard let first = heap.first else { return nil }
        remove(first.slot)
        return first
    }

    /// Drops every deadline.
    mutating func removeAll() {
        heap.removeAll()
        positions.removeAll()
    }

    private mutating func remove(_ slot: Int32) {
        guard let index = position(of: slot) else { return }
        positions[Int(slot)] = -1
        let last = heap.removeLast()
        guard index < heap.count else { return }
        let removed = heap[index]
        heap[index] = last
        positions[Int(last.slot)] = Int32(index)
        if last < removed { siftUp(index) } else { siftDown(index) }
    }

    private mutating func siftUp(_ start: Int) {
        var index = start
        while index > 0 {
            let parent = (index - 1) / 2
            guard heap[index] < heap[parent] else { break }
            swapAt(index, parent)
            index = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var index = start
        while true {
            let left = 2 * index + 1
            let right = left + 1
            var smallest = index
            if left < heap.count, heap[left] < heap[smallest] { smallest = left }
            if right < heap.count, heap[right] < heap[smallest] { smallest = right }
            guard smallest != index else { return }
            swapAt(index, smallest)
            index = smallest
        }
    }

    private mutating func swapAt(_ lhs: Int, _ rhs: Int) {
        heap.swapAt(lhs, rhs)
        positions[Int(heap[lhs].slot)] = Int32(lhs)
        positions[Int(heap[rhs].slot)] = Int32(rhs)
    }
}
