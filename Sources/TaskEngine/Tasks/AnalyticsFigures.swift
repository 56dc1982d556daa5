/// The raw counts behind one `tasks.analytics` answer: exact integers, so running aggregates that add and
/// take away tasks always equal the same counts made from scratch.
struct AnalyticsFigures: Sendable, Equatable {
    /// One assignee's share of the selected tasks.
    struct Assignee: Sendable, Equatable {
        /// Selected tasks assigned to the user.
        var tasks = 0
        /// Of those, the completed ones.
        var completed = 0
        /// Completed ones with a `completed_at` (all of them, unless a very old store lacks it).
        var timed = 0
        /// The sum of `completed_at - created_at` over the timed ones, in microseconds.
        var completionMicros: Int128 = 0

        /// Adds (`sign` 1) or takes away (`sign` -1) one task of the assignee.
        mutating func add(_ sign: Int, completed: Bool, micros: Int128?) {
            tasks += sign
            if completed { self.completed += sign }
            if let micros {
                timed += sign
                completionMicros += Int128(sign) * micros
            }
        }

        /// Adds another share of the same assignee.
        mutating func merge(_ other: Assignee) {
            tasks += other.tasks
            completed += other.completed
            timed += other.timed
            completionMicros += other.completionMicros
        }
    }

    /// Live tasks selected, every status included.
    var total = 0
    /// Selected tasks by ``TaskStatus/index``.
    var statuses = SIMD4<Int>()
    /// Selected tasks by ``TaskPriority/rank``.
    var priorityTotals = SIMD4<Int>()
    /// Completed selected tasks by ``TaskPriority/rank``.
    var priorityCompleted = SIMD4<Int>()
    /// Completed tasks with a `completed_at`.
    var timed = 0
    /// The sum of `completed_at - created_at` over the timed completed tasks, in microseconds.
    var completionMicros: Int128 = 0
    /// Overdue selected tasks; only answers carry it (running tallies count overdue tasks by time instead).
    var overdue = 0
    /// Selected tasks that have an assignee, by assignee.
    var assignees: [UserID: Assignee] = [:]

    /// Adds (`sign` 1) or takes away (`sign` -1) the task at `index`, reading its fields through the
    /// collection instead of copying the task out; leaves ``overdue`` alone.
    mutating func count<Tasks: RandomAccessCollection<TaskItem>>(_ tasks: Tasks, _ index: Int, sign: Int)
    where Tasks.Index == Int {
        let status = tasks[index].status
        let rank = tasks[index].priority.rank
        total += sign
        statuses[status.index] += sign
        priorityTotals[rank] += sign
        var micros: Int128?
        if status == .completed {
            priorityCompleted[rank] += sign
            micros = tasks[index].completedAt.map {
                Int128($0.microseconds) - Int128(tasks[index].createdAt.microseconds)
            }
        }
        if let micros {
            timed += sign
            completionMicros += Int128(sign) * micros
        }
        guard let assignee = tasks[index].assignee else { return }
        let completed = status == .completed
        guard sign < 0 else {
            // Adding (every visit, most tally changes): one hash lookup, changed in place.
            assignees[assignee, default: Assignee()].add(sign, completed: completed, micros: micros)
            return
        }
        // Taking away: the entry goes when its last task does, so equal figures have equal entries.
        var entry = assignees.removeValue(forKey: assignee) ?? Assignee()
        entry.add(sign, completed: completed, micros: micros)
        if entry.tasks != 0 { assignees[assignee] = entry }
    }

    /// Adds or takes away one task.
    mutating func count(_ task: TaskItem, sign: Int) { count(CollectionOfOne(task), 0, sign: sign) }

    /// Adds another set of figures (of tasks disjoint from these).
    mutating func merge(_ other: AnalyticsFigures) {
        total += other.total
        statuses &+= other.statuses
        priorityTotals &+= other.priorityTotals
        priorityCompleted &+= other.priorityCompleted
        timed += other.timed
        completionMicros += other.completionMicros
        overdue += other.overdue
        for (user, share) in other.assignees {
            assignees[user, default: Assignee()].merge(share)
        }
    }
}
