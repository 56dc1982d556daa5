// Every overdue decision `tasks.analytics` makes goes through this file: the rule for one task, and the
// counter of a group's overdue tasks. Both follow ``TaskItem/isOverdue``, the definition that
// `tasks.list {overdue: true}` and the `task_overdue` events share: an open task whose `task_overdue` fired
// for its current due date.

extension TaskLedger {
    /// Whether analytics counts a task as overdue (``TaskItem/isOverdue``).
    func analyticsIsOverdue(_ task: TaskItem, now: Timestamp) -> Bool {
        AnalyticsOverdue.isOverdue(CollectionOfOne(task), 0, now: now)
    }

    /// The same rule for the task in a slot, read in place (visits of many tasks must not copy each out).
    func analyticsIsOverdue(slot: Int32, now: Timestamp) -> Bool {
        AnalyticsOverdue.isOverdue(tasks, Int(slot), now: now)
    }
}

/// How many of an ``AnalyticsTally``'s tasks are overdue. A task becomes overdue only through a committed
/// `task_overdue` (and stops being so through a committed change), so a count kept on every change is exact
/// at every instant; `now` is not needed.
struct AnalyticsOverdue: Sendable {
    /// The tally's overdue tasks.
    private var overdueCount = 0
    /// Their slots, kept only for tests that rebuild the aggregates from scratch.
    private var slots: Set<Int32> = []

    /// The rule, for the task at `index` of a collection, which ``count(at:)`` agrees with.
    static func isOverdue<Tasks: RandomAccessCollection<TaskItem>>(
        _ tasks: Tasks, _ index: Int, now: Timestamp
    )
        -> Bool
    where Tasks.Index == Int {
        tasks[index].isOverdue
    }

    /// Whether a change from `old` to `new` changes the task's overdue state.
    static func differs(_ old: TaskItem, _ new: TaskItem) -> Bool {
        old.isOverdue != new.isOverdue
    }

    mutating func insert(_ task: TaskItem, at slot: Int32) {
        guard task.isOverdue, slots.insert(slot).inserted else { return }
        overdueCount += 1
    }

    mutating func remove(_ task: TaskItem, at slot: Int32) {
        guard task.isOverdue, slots.remove(slot) != nil else { return }
        overdueCount -= 1
    }

    /// The number of tracked tasks overdue (the same at every `now`).
    func count(at now: Timestamp) -> Int { overdueCount }

    /// The tracked overdue slots, ascending, for tests that rebuild the aggregates from scratch.
    var entries: [Int32] { slots.sorted() }
}
