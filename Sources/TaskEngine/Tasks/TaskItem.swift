/// One task, as the engine holds it.
///
/// A plain value: the engine keeps them in one array indexed by slot, so a million tasks cost a million
/// structs and their strings, with no object per task.
package struct TaskItem: Sendable, Equatable {
    /// One `context` member: host-defined string keys such as `conversation_id` and `bot_id`.
    package struct ContextEntry: Sendable, Equatable {
        package var key: String
        package var value: String

        package init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The 64-bit id; ``id`` is its text.
    package var rawID: UInt64
    package var title: String
    package var description: String?
    package var status: TaskStatus
    package var priority: TaskPriority
    /// The assignee's user id.
    package var assignee: UserID?
    package var dueDate: Timestamp?
    package var tags: [String]
    package var context: [ContextEntry]
    /// Percent done, 0-100.
    package var progress: Int
    package var timeSpentMinutes: Int
    package var createdAt: Timestamp
    package var createdBy: UserID
    package var updatedAt: Timestamp
    package var completedAt: Timestamp?
    package var completedBy: UserID?
    package var resolution: String?
    package var outcomes: [String]
    /// The number of comments (see ``Engine/addComment(_:by:)``); comments leave ``version`` alone.
    package var commentsCount: Int
    /// The number of live attachments; uploads and deletions leave ``version`` alone.
    package var attachmentsCount: Int
    /// User ids watching the task, in the order they started; changes leave ``version`` alone.
    package var watchers: [UserID]
    /// Starts at 1 and grows by one with every committed change.
    package var version: Int
    /// Deleted tasks keep their slot so their history stays readable.
    package var isDeleted: Bool

    /// The fields only some tasks use (workflow steps, tasks from templates), kept out of line: empty for
    /// every other task, so they cost a plain task one array reference instead of their whole size.
    private var rareFields: [RareFields] = []

    /// What ``rareFields`` holds; all at their defaults means the array is empty.
    private struct RareFields: Sendable, Equatable {
        var workflowID: WorkflowID?
        var step: String?
        var blockedBy: [String] = []
        var checklist: [ChecklistItem] = []
        var templateID: TemplateID?
        var overdueFiredFor: Timestamp?
        var dueSoonFiredFor: Timestamp?
    }

    // Workflow fields: set only on the task of a workflow step (see docs/workflows.md).
    /// The workflow whose step this task is.
    package var workflowID: WorkflowID? {
        get { rareFields.first?.workflowID }
        set { changeRareFields { $0.workflowID = newValue } }
    }
    /// The name of the step this task is.
    package var step: String? {
        get { rareFields.first?.step }
        set { changeRareFields { $0.step = newValue } }
    }
    /// The names of the step's dependencies that are not completed; a blocked task cannot start or complete.
    package var blockedBy: [String] {
        get { rareFields.first?.blockedBy ?? [] }
        set { changeRareFields { $0.blockedBy = newValue } }
    }
    // Templates (see `TaskItem+Checklist.swift`).
    /// The task's checklist, in order; a task made from a template starts with the template's.
    package var checklist: [ChecklistItem] {
        get { rareFields.first?.checklist ?? [] }
        set { changeRareFields { $0.checklist = newValue } }
    }
    /// The template the task was made from, if any.
    package var templateID: TemplateID? {
        get { rareFields.first?.templateID }
        set { changeRareFields { $0.templateID = newValue } }
    }

    // Due reminders (see `Scheduling/DueReminder.swift`): set only by the engine's own events.
    /// The due date `task_overdue` last fired for; the task is overdue while this is its due date and it is open.
    package var overdueFiredFor: Timestamp? {
        get { rareFields.first?.overdueFiredFor }
        set { changeRareFields { $0.overdueFiredFor = newValue } }
    }
    /// The due date `task_due_soon` last fired for.
    package var dueSoonFiredFor: Timestamp? {
        get { rareFields.first?.dueSoonFiredFor }
        set { changeRareFields { $0.dueSoonFiredFor = newValue } }
    }

    /// Changes the rare fields, keeping the array empty while all of them are at their defaults (so equal
    /// tasks compare equal however they got there).
    private mutating func changeRareFields(_ change: (inout RareFields) -> Void) {
        var fields = rareFields.first ?? RareFields()
        change(&fields)
        rareFields = fields == RareFields() ? [] : [fields]
    }

    /// A new task with every field at its default.
    package init(rawID: UInt64, title: String, createdAt: Timestamp, createdBy: UserID) {
        self.rawID = rawID
        self.title = title
        self.description = nil
        self.status = .pending
        self.priority = .medium
        self.assignee = nil
        self.dueDate = nil
        self.tags = []
        self.context = []
        self.progress = 0
        self.timeSpentMinutes = 0
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = createdAt
        self.completedAt = nil
        self.completedBy = nil
        self.resolution = nil
        self.outcomes = []
        self.commentsCount = 0
        self.attachmentsCount = 0
        self.watchers = []
        self.version = 1
        self.isDeleted = false
    }

    /// The wire id, `tsk_…`.
    package var id: TaskID { TaskID(raw: rawID) }

    /// Whether the task is overdue: open (pending or in progress), and `task_overdue` has fired for its
    /// current due date. Moving the due date, completing or cancelling ends it; the one definition that
    /// `tasks.list {overdue: true}`, ``TaskLedger/isOverdue(_:)`` and the event feed share.
    package var isOverdue: Bool {
        guard status.isOpen, let dueDate else { return false }
        return overdueFiredFor == dueDate
    }
}
