// Every overdue decision `tasks.analytics` makes goes through this file: the rule for one task, and the
// structure that counts a group's overdue tasks at any instant without visiting them. Both follow
// `tasks.list {overdue: true}` (see ``ResolvedQuery``): an open task (pending or in_progress) whose due
// date is before now.

extension TaskLedger {
    /// Whether analytics counts a task as overdue at `now`: open, with a due date before `now`.
    func analyticsIsOverdue(_ task: TaskItem, now: Timestamp) -> Bool {
        AnalyticsOverdue.isOverdue(CollectionOfOne(task), 0, now: now)
    }

    /// The same rule for the task in a slot, read in place (visits of many tasks must not copy each out).
    func analyticsIsOverdue(slot: Int32, now: Timestamp) -> Bool {
        AnalyticsOverdue.isOverdue(tasks, Int(slot), now: now)
    }
}

/// What an ``AnalyticsTally`` keeps to answer "how many of these tasks are overdue at `now`" for any `now`:
/// its open tasks that have a due date, ordered by due date, so the count is one rank lookup.
struct AnalyticsOverdue: Sendable {
    /// Open tasks with a due date, by (due date, slot).
    private var openByDueDate = SortedChunks<TimeKey>()

    /// The rule, for the task at `index` of a collection, which ``count(at:)`` agrees with.
    static func isOverdue<Tasks: RandomAccessCollection<TaskItem>>(
        _ tasks: Tasks, _ index: Int, now: Timestamp
    )
        -> Bool
    where Tasks.Index == Int {
        guard tasks[index].status.isOpen, let due = tasks[index].dueDate else { return false }
        return due < now
    }

    /// Whether a change from `old` to `new` can change the task's overdue state at some instant.
    static func differs(_ old: TaskItem, _ new: TaskItem) -> Bool {
        old.status.isOpen != new.status.isOpen || old.dueDate != new.dueDate
    }

    mutating func insert(_ task: TaskItem, at slot: Int32) {
        guard task.status.isOpen, let due = task.dueDate else { return }
        openByDueDate.insert(TimeKey(time: due.microseconds, slot: slot))
    }

    mutating func remove(_ task: TaskItem, at slot: Int32) {
        guard task.status.isOpen, let due = task.dueDate else { return }
        openByDueDate.remove(TimeKey(time: due.microseconds, slot: slot))
    }

    /// The number of tracked tasks overdue at `now`.
    func count(at now: Timestamp) -> Int {
        openByDueDate.count(from: nil, to: TimeKey(time: now.microseconds, slot: .min))
    }

    /// The tracked `(due date, slot)` pairs, ascending, for tests that rebuild the aggregates from scratch.
    var entries: [TimeKey] { openByDueDate.elements }
}
