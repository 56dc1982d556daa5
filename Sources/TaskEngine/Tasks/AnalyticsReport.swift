package import JSON

/// The answer of `tasks.analytics`: a summary, totals by priority and completions by assignee.
///
/// Rates and hours are rounded half up to two decimals from the exact counts (see docs/analytics.md);
/// `completion_rate` is `null` when nothing is selected, and the averages are `null` when nothing selected is
/// completed.
package struct AnalyticsReport: Sendable, Equatable {
    /// One priority level's tasks.
    package struct PriorityShare: Sendable, Equatable {
        /// Selected tasks of the level.
        package var total: Int
        /// Of those, the completed ones.
        package var completed: Int
    }

    /// One assignee's completions among the selected tasks.
    package struct AssigneeShare: Sendable, Equatable {
        /// The assignee.
        package var userID: UserID
        /// The name from the user directory, `nil` when it has none.
        package var name: String?
        /// Selected tasks of the assignee that are completed.
        package var tasksCompleted: Int
        /// `nil` when the assignee completed none of the selected tasks.
        package var averageTimeHours: Double?
    }

    /// Selected tasks, every status included.
    package var totalTasks: Int
    /// Selected tasks that are completed.
    package var completed: Int
    /// Selected tasks in progress.
    package var inProgress: Int
    /// Selected open tasks whose due date has passed.
    package var overdue: Int
    /// `completed / total_tasks`; `nil` when no task is selected.
    package var completionRate: Double?
    /// The mean of `completed_at - created_at` in hours; `nil` when no selected task is completed.
    package var averageCompletionTimeHours: Double?
    /// Every level, most urgent first.
    package var byPriority: [(priority: TaskPriority, share: PriorityShare)]
    /// Every assignee of a selected task, most completions first, then by user id.
    package var byAssignee: [AssigneeShare]

    /// Microseconds in an hour.
    private static let hour: Int128 = 3_600_000_000

    init(_ figures: AnalyticsFigures, directory: any UserDirectory) {
        totalTasks = figures.total
        completed = figures.statuses[TaskStatus.completed.index]
        inProgress = figures.statuses[TaskStatus.inProgress.index]
        overdue = figures.overdue
        completionRate = Self.hundredths(Int128(completed), over: Int128(figures.total))
        averageCompletionTimeHours = Self.hundredths(figures.completionMicros, over: Int128(figures.timed) * Self.hour)
        byPriority = TaskPriority.allCases.reversed().map { priority in
            (
                priority,
                PriorityShare(
                    total: figures.priorityTotals[priority.rank], completed: figures.priorityCompleted[priority.rank])
            )
        }
        byAssignee = figures.assignees.map { user, share in
            AssigneeShare(
                userID: user, name: directory.profile(of: user)?.name, tasksCompleted: share.completed,
                averageTimeHours: Self.hundredths(share.completionMicros, over: Int128(share.timed) * Self.hour))
        }
        .sorted { lhs, rhs in
            lhs.tasksCompleted != rhs.tasksCompleted
                ? lhs.tasksCompleted > rhs.tasksCompleted
                : lhs.userID.text.utf8.lexicographicallyPrecedes(rhs.userID.text.utf8)
        }
    }

    /// `numerator / denominator` rounded half up to two decimals; `nil` when the denominator is 0.
    static func hundredths(_ numerator: Int128, over denominator: Int128) -> Double? {
        guard denominator > 0 else { return nil }
        let scaled = (2 * 100 * numerator + denominator) / (2 * denominator)
        return Double(scaled) / 100
    }

    /// Equal when they answer the same JSON.
    package static func == (lhs: AnalyticsReport, rhs: AnalyticsReport) -> Bool {
        lhs.json == rhs.json
    }

    /// `{summary: {…}, by_priority: {critical, high, medium, low}, by_assignee: […]}`.
    package var json: JSONValue {
        var priorities = JSONObject()
        for (priority, share) in byPriority {
            priorities.append(priority.rawValue, ["total": .int(share.total), "completed": .int(share.completed)])
        }
        return [
            "summary": [
                "total_tasks": .int(totalTasks),
                "completed": .int(completed),
                "in_progress": .int(inProgress),
                "overdue": .int(overdue),
                "completion_rate": completionRate.map(JSONValue.double) ?? .null,
                "average_completion_time_hours": averageCompletionTimeHours.map(JSONValue.double) ?? .null,
            ],
            "by_priority": .object(priorities),
            "by_assignee": .array(
                byAssignee.map { share in
                    [
                        "user_id": share.userID.json,
                        "name": share.name.map(JSONValue.string) ?? .null,
                        "tasks_completed": .int(share.tasksCompleted),
                        "average_time_hours": share.averageTimeHours.map(JSONValue.double) ?? .null,
                    ]
                }),
        ]
    }
}
