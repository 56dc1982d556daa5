/// A task's position in a time ordering: the time first, then the slot (which follows task id order).
struct TimeKey: Comparable, Sendable {
    var time: Int64
    var slot: Int32

    static func < (lhs: TimeKey, rhs: TimeKey) -> Bool {
        lhs.time != rhs.time ? lhs.time < rhs.time : lhs.slot < rhs.slot
    }
}

/// The secondary indexes over live (not deleted) tasks that make `tasks.list` fast on a million tasks.
///
/// Slots are handed out in creation order, and creation times never decrease, so slot order is both
/// `created_at` order and `task_id` order: the per-value slot sets double as created-at orderings.
struct TaskIndexes: Sendable {
    var byStatus = [SortedChunks<Int32>](repeating: SortedChunks(), count: TaskStatus.allCases.count)
    var byPriority = [SortedChunks<Int32>](repeating: SortedChunks(), count: TaskPriority.allCases.count)
    var byAssignee: [UserID: SortedChunks<Int32>] = [:]
    /// Tasks without an assignee, by slot (`tasks.list {assignee: null}`).
    var unassigned = SortedChunks<Int32>()
    var byTag: [String: SortedChunks<Int32>] = [:]
    /// Tasks with a due date, by (due date, slot).
    var byDueDate = SortedChunks<TimeKey>()
    /// Tasks without a due date, by slot.
    var withoutDueDate = SortedChunks<Int32>()
    var byUpdatedAt = SortedChunks<TimeKey>()
    /// Every live slot, in creation order.
    var live = SortedChunks<Int32>()
    /// Live tasks that are overdue (``TaskItem/isOverdue``), by slot: `tasks.list {overdue: true}`.
    var overdue = SortedChunks<Int32>()

    init() {}

    /// The indexes of every live task of `tasks` (indexed by slot), built by sorting once rather than inserting
    /// task by task: a snapshot's million tasks come in slot order, but not in due-date or update order.
    init(building tasks: some Collection<TaskItem>) {
        var live: [Int32] = []
        var byStatus = [[Int32]](repeating: [], count: TaskStatus.allCases.count)
        var byPriority = [[Int32]](repeating: [], count: TaskPriority.allCases.count)
        var byAssignee: [UserID: [Int32]] = [:]
        var unassigned: [Int32] = []
        var byTag: [String: [Int32]] = [:]
        var byDueDate: [TimeKey] = []
        var withoutDueDate: [Int32] = []
        var byUpdatedAt: [TimeKey] = []
        var overdue: [Int32] = []
        live.reserveCapacity(tasks.count)
        byUpdatedAt.reserveCapacity(tasks.count)
        for (offset, task) in tasks.enumerated() where !task.isDeleted {
            let slot = Int32(offset)
            live.append(slot)
            byStatus[task.status.index].append(slot)
            byPriority[task.priority.rank].append(slot)
            if let assignee = task.assignee {
                byAssignee[assignee, default: []].append(slot)
            } else {
                unassigned.append(slot)
            }
            for tag in task.tags where byTag[tag]?.last != slot { byTag[tag, default: []].append(slot) }
            if let due = task.dueDate {
                byDueDate.append(TimeKey(time: due.microseconds, slot: slot))
            } else {
                withoutDueDate.append(slot)
            }
            byUpdatedAt.append(TimeKey(time: task.updatedAt.microseconds, slot: slot))
            if task.isOverdue { overdue.append(slot) }
        }
        byDueDate.sort()
        byUpdatedAt.sort()
        self.live = SortedChunks(ascending: live)
        self.byStatus = byStatus.map { SortedChunks(ascending: $0) }
        self.byPriority = byPriority.map { SortedChunks(ascending: $0) }
        self.byAssignee = byAssignee.mapValues { SortedChunks(ascending: $0) }
        self.unassigned = SortedChunks(ascending: unassigned)
        self.byTag = byTag.mapValues { SortedChunks(ascending: $0) }
        self.byDueDate = SortedChunks(ascending: byDueDate)
        self.withoutDueDate = SortedChunks(ascending: withoutDueDate)
        self.byUpdatedAt = SortedChunks(ascending: byUpdatedAt)
        self.overdue = SortedChunks(ascending: overdue)
    }

    mutating func insert(_ task: TaskItem, at slot: Int32) {
        live.insert(slot)
        byStatus[task.status.index].insert(slot)
        byPriority[task.priority.rank].insert(slot)
        if let assignee = task.assignee {
            byAssignee[assignee, default: SortedChunks()].insert(slot)
        } else {
            unassigned.insert(slot)
        }
        for tag in task.tags { byTag[tag, default: SortedChunks()].insert(slot) }
        if let due = task.dueDate {
            byDueDate.insert(TimeKey(time: due.microseconds, slot: slot))
        } else {
            withoutDueDate.insert(slot)
        }
        byUpdatedAt.insert(TimeKey(time: task.updatedAt.microseconds, slot: slot))
        if task.isOverdue { overdue.insert(slot) }
    }

    mutating func remove(_ task: TaskItem, at slot: Int32) {
        live.remove(slot)
        byStatus[task.status.index].remove(slot)
        byPriority[task.priority.rank].remove(slot)
        if let assignee = task.assignee {
            Self.remove(slot, key: assignee, from: &byAssignee)
        } else {
            unassigned.remove(slot)
        }
        for tag in task.tags { Self.remove(slot, key: tag, from: &byTag) }
        if let due = task.dueDate {
            byDueDate.remove(TimeKey(time: due.microseconds, slot: slot))
        } else {
            withoutDueDate.remove(slot)
        }
        byUpdatedAt.remove(TimeKey(time: task.updatedAt.microseconds, slot: slot))
        if task.isOverdue { overdue.remove(slot) }
    }

    /// Moves a task from its old to its new index entries, touching only the entries that changed.
    mutating func update(from old: TaskItem, to new: TaskItem, at slot: Int32) {
        if old.status != new.status {
            byStatus[old.status.index].remove(slot)
            byStatus[new.status.index].insert(slot)
        }
        if old.priority != new.priority {
            byPriority[old.priority.rank].remove(slot)
            byPriority[new.priority.rank].insert(slot)
        }
        if old.assignee != new.assignee {
            if let assignee = old.assignee {
                Self.remove(slot, key: assignee, from: &byAssignee)
            } else {
                unassigned.remove(slot)
            }
            if let assignee = new.assignee {
                byAssignee[assignee, default: SortedChunks()].insert(slot)
            } else {
                unassigned.insert(slot)
            }
        }
        if old.tags != new.tags {
            for tag in old.tags { Self.remove(slot, key: tag, from: &byTag) }
            for tag in new.tags { byTag[tag, default: SortedChunks()].insert(slot) }
        }
        if old.dueDate != new.dueDate {
            if let due = old.dueDate {
                byDueDate.remove(TimeKey(time: due.microseconds, slot: slot))
            } else {
                withoutDueDate.remove(slot)
            }
            if let due = new.dueDate {
                byDueDate.insert(TimeKey(time: due.microseconds, slot: slot))
            } else {
                withoutDueDate.insert(slot)
            }
        }
        if old.updatedAt != new.updatedAt {
            byUpdatedAt.remove(TimeKey(time: old.updatedAt.microseconds, slot: slot))
            byUpdatedAt.insert(TimeKey(time: new.updatedAt.microseconds, slot: slot))
        }
        if old.isOverdue != new.isOverdue {
            if new.isOverdue { overdue.insert(slot) } else { overdue.remove(slot) }
        }
    }

    private static func remove<Key: Hashable>(_ slot: Int32, key: Key, from sets: inout [Key: SortedChunks<Int32>]) {
        guard var set = sets.removeValue(forKey: key) else { return }
        set.remove(slot)
        if !set.isEmpty { sets[key] = set }
    }
}
