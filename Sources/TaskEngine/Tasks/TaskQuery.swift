/// The filters, order and page of a `tasks.list` call, as the client sent them (the engine validates).
package struct TaskQuery: Sendable, Equatable {
    /// The ways a list can be sorted.
    package enum SortKey: String, Sendable, CaseIterable {
        case createdAt = "created_at"
        case dueDate = "due_date"
        case priority
        case updatedAt = "updated_at"

        /// The order used when the client names none: newest first for times, soonest first for due dates,
        /// most urgent first for priority.
        package var defaultAscending: Bool { self == .dueDate }
    }

    /// Any of these statuses (empty: any status).
    package var statuses: [String] = []
    /// Only tasks assigned to this user id.
    package var assignee: UserID?
    /// `true`: only tasks nobody is assigned to (`assignee: null` on the wire).
    package var unassigned = false
    /// Any of these priorities (empty: any priority).
    package var priorities: [String] = []
    /// Only tasks due strictly before this time.
    package var dueBefore: TimeInput?
    /// Only tasks due strictly after this time.
    package var dueAfter: TimeInput?
    /// Only tasks changed strictly after this time (`updated_at`), for bots that poll.
    package var updatedAfter: TimeInput?
    /// Only tasks created by this user id.
    package var createdBy: String?
    /// Only tasks carrying every one of these tags.
    package var tags: [String] = []
    /// Case-insensitive substring of the title or description.
    package var search: String?
    /// `true`: only overdue tasks: open, with `task_overdue` fired for their current due date.
    package var overdue = false
    package var page = 1
    package var limit = 20
    package var sort: String?
    package var order: String?

    package init() {}
}
