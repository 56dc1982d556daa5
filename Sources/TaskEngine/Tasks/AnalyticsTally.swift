/// The running figures of one group of live tasks (all of them, one assignee's, one bot's, one tag's, one
/// block of slots): counts kept up to date as tasks change, plus what counts their overdue ones at any time.
struct AnalyticsTally: Sendable {
    /// Every count but ``AnalyticsFigures/overdue``.
    private(set) var counts = AnalyticsFigures()
    private(set) var overdue = AnalyticsOverdue()

    /// Whether the group holds no task.
    var isEmpty: Bool { counts.total == 0 }

    mutating func insert(_ task: TaskItem, at slot: Int32) {
        counts.count(task, sign: 1)
        overdue.insert(task, at: slot)
    }

    mutating func remove(_ task: TaskItem, at slot: Int32) {
        counts.count(task, sign: -1)
        overdue.remove(task, at: slot)
    }

    /// The group's figures at `now`.
    func figures(at now: Timestamp) -> AnalyticsFigures {
        var figures = counts
        figures.overdue = overdue.count(at: now)
        return figures
    }
}
