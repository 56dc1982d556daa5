/// Where a task is in its life: `pending` → `in_progress` → `completed`, or `cancelled` while open.
package enum TaskStatus: String, Sendable, CaseIterable, Hashable {
    case pending
    case inProgress = "in_progress"
    case completed
    case cancelled

    /// Whether work on the task is still expected (`pending` or `in_progress`).
    package var isOpen: Bool { self == .pending || self == .inProgress }

    /// The position in `CaseIterable` order, for per-status indexes.
    var index: Int {
        switch self {
        case .pending: 0
        case .inProgress: 1
        case .completed: 2
        case .cancelled: 3
        }
    }

    /// Whether `tasks.update` may move a task from this status to `target`.
    ///
    /// Forward: pending → in_progress → completed. Any open task may be cancelled. A completed or cancelled
    /// task may be reopened to pending or in_progress. Everything else is an invalid transition.
    package func canMove(to target: TaskStatus) -> Bool {
        switch (self, target) {
        case (.pending, .inProgress), (.inProgress, .completed): true
        case (.pending, .cancelled), (.inProgress, .cancelled): true
        case (.completed, .pending), (.completed, .inProgress): true
        case (.cancelled, .pending), (.cancelled, .inProgress): true
        default: false
        }
    }
}
