/// The type of an event in the public feed (`events.subscribe`, `events.since`): what a bot reacts to.
///
/// Feed types are not journal types. The journal records one ``EventType`` per commit; the feed derives
/// one or more feed events from it (``EventType/Domain/feedTypes(of:task:)``), at most one of each type,
/// so an update that reassigns and completes a task is one `task_completed` and one `task_assigned`.
/// New domains add their types here (`template_created`, `workflow_step_ready`, `automation_fired`) and to
/// ``all``.
package struct FeedEventType: RawRepresentable, Hashable, Sendable, Comparable {
    package var rawValue: String

    package init(rawValue: String) { self.rawValue = rawValue }

    package static let taskCreated = FeedEventType(rawValue: "task_created")
    package static let taskAssigned = FeedEventType(rawValue: "task_assigned")
    package static let taskUpdated = FeedEventType(rawValue: "task_updated")
    package static let taskCompleted = FeedEventType(rawValue: "task_completed")
    /// The status moved to `cancelled`.
    package static let taskCancelled = FeedEventType(rawValue: "task_cancelled")
    /// The status moved from `completed` or `cancelled` back to an open status.
    package static let taskReopened = FeedEventType(rawValue: "task_reopened")
    package static let taskDeleted = FeedEventType(rawValue: "task_deleted")
    /// An open task's due date is near (the reminder lead before it); the engine commits it as `system`.
    package static let taskDueSoon = FeedEventType(rawValue: "task_due_soon")
    /// An open task's due date passed; the engine commits it as `system`, once per due date.
    package static let taskOverdue = FeedEventType(rawValue: "task_overdue")
    package static let commentAdded = FeedEventType(rawValue: "comment_added")
    package static let attachmentAdded = FeedEventType(rawValue: "attachment_added")
    package static let attachmentDeleted = FeedEventType(rawValue: "attachment_deleted")
    package static let watcherAdded = FeedEventType(rawValue: "watcher_added")
    package static let watcherRemoved = FeedEventType(rawValue: "watcher_removed")
    package static let templateCreated = FeedEventType(rawValue: "template_created")
    package static let templateUpdated = FeedEventType(rawValue: "template_updated")
    package static let templateDeleted = FeedEventType(rawValue: "template_deleted")
    package static let workflowCreated = FeedEventType(rawValue: "workflow_created")
    package static let workflowUpdated = FeedEventType(rawValue: "workflow_updated")
    /// A step's last open dependency completed: the step may start.
    package static let workflowStepReady = FeedEventType(rawValue: "workflow_step_ready")
    package static let workflowCompleted = FeedEventType(rawValue: "workflow_completed")
    package static let workflowCancelled = FeedEventType(rawValue: "workflow_cancelled")
    package static let automationCreated = FeedEventType(rawValue: "automation_created")
    package static let automationUpdated = FeedEventType(rawValue: "automation_updated")
    package static let automationDeleted = FeedEventType(rawValue: "automation_deleted")
    /// An automation created a task: the same commit's `task_created` carries the firing.
    package static let automationFired = FeedEventType(rawValue: "automation_fired")

    /// Every feed type the server knows, in documentation order; a `types` filter naming another is refused.
    package static let all: [FeedEventType] = [
        .taskCreated, .taskAssigned, .taskUpdated, .taskCompleted, .taskCancelled, .taskReopened, .taskDeleted,
        .taskDueSoon, .taskOverdue, .commentAdded, .attachmentAdded, .attachmentDeleted, .watcherAdded, .watcherRemoved,
        .templateCreated,
        .templateUpdated, .templateDeleted, .workflowCreated, .workflowUpdated, .workflowStepReady,
        .workflowCompleted, .workflowCancelled, .automationCreated, .automationUpdated, .automationDeleted,
        .automationFired,
    ]

    /// The order feed events of one commit take: by position in ``all``, unknown types last by name.
    package static func < (lhs: FeedEventType, rhs: FeedEventType) -> Bool {
        let left = all.firstIndex(of: lhs) ?? all.count
        let right = all.firstIndex(of: rhs) ?? all.count
        return left != right ? left < right : lhs.rawValue < rhs.rawValue
    }
}
