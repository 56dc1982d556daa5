import JSON

/// The engine's own events about due dates, and when each is due.
///
/// An open task (pending or in progress) with a due date gets `task_due_soon` once the reminder lead
/// before the due date (``EngineState/reminderLeadSeconds(for:)``), and `task_overdue` once the due date
/// passes: each at most once per due date, remembered on the task (``TaskItem/dueSoonFiredFor``,
/// ``TaskItem/overdueFiredFor``), so a new due date arms both again and a restart fires neither twice.
/// When both are due together (the server was down, or the lead was longer than the time left), only
/// `task_overdue` fires: a task never gets `task_due_soon` after, or instead of being told it is overdue.
enum DueReminder {
    /// The longest lead honoured: a century.
    static let maxLeadSeconds: Int64 = 100 * 366 * 86_400

    /// When a task's next reminder is due, in microseconds since the epoch; `nil` when none is armed
    /// (no due date, closed, deleted, or `task_overdue` already fired for this due date).
    static func nextTime(of task: TaskItem, lead: Int64?) -> Int64? {
        guard !task.isDeleted, task.status.isOpen, let due = task.dueDate, task.overdueFiredFor != due else {
            return nil
        }
        if let lead, lead > 0, task.dueSoonFiredFor != due {
            // Clamped to a century, so no lead can overflow the arithmetic.
            return due.microseconds - min(lead, maxLeadSeconds) * 1_000_000
        }
        return due.microseconds
    }

    /// The reminder due for a task at `now`: `task_overdue` once the due date is reached, else
    /// `task_due_soon` once the lead before it is; `nil` when none is.
    static func dueType(of task: TaskItem, lead: Int64?, now: Timestamp) -> EventType? {
        guard let time = nextTime(of: task, lead: lead), time <= now.microseconds, let due = task.dueDate else {
            return nil
        }
        return due <= now ? .taskOverdue : .taskDueSoon
    }

    /// The event that fires a reminder for a task, committed as the built-in `system` user; it keeps the
    /// task's version and names the due date it fires for (and, for `task_due_soon`, the lead).
    static func event(
        _ type: EventType, for task: TaskItem, lead: Int64?, seq: UInt64, at: Timestamp
    ) -> Event {
        var detail: JSONObject = ["due_date": .string(task.dueDate?.rfc3339 ?? "")]
        if type == .taskDueSoon, let lead { detail.append("lead_seconds", .number(String(lead))) }
        return Event(
            seq: seq, type: type, at: at, actor: Caller.system.user, subject: .task(task.id), version: task.version,
            changes: [:], detail: .object(detail))
    }

    /// The task a reminder event leaves: the same fields, with the due date it fired for remembered.
    ///
    /// - Throws: ``EngineError/damaged(_:)`` when the event changes fields, names no due date, or names one
    ///   that is not the open task's.
    static func mark(_ event: Event, on task: TaskItem) throws(EngineError) -> TaskItem {
        guard event.changes.isEmpty,
            let due = event.detail?["due_date"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        else { throw .damaged("event \(event.seq) is a malformed \(event.type.rawValue)") }
        guard task.status.isOpen, task.dueDate == due else {
            throw .damaged("event \(event.seq) fires for a due date task \(task.id) does not have open")
        }
        var marked = task
        if event.type == .taskOverdue {
            marked.overdueFiredFor = due
        } else {
            marked.dueSoonFiredFor = due
        }
        return marked
    }
}
