import JSON

/// The subject and plain-text body of the email for one notification, written for the person it goes to.
///
/// The subject says who did what to which task (`Jane Smith assigned you "Fix login bug" (tsk_…)`); the
/// body repeats it, quotes a new comment, lists what the change changed and the task's fields (status,
/// priority, due date, assignee) and says how to read the task (`tasks.get`). Each event type has its own
/// wording; a type without one gets a generic sentence naming it.
struct EmailContent: Sendable, Equatable {
    /// The subject, one line, before any header encoding.
    var subject: String
    /// The body, lines separated by LF, before any transfer encoding.
    var body: String

    /// The longest task title a subject shows; a longer one is cut and ends with `…` (the body has it whole).
    static let subjectTitleLimit = 100
    /// The longest value shown in the list of changes.
    static let changeValueLimit = 200
    /// Fields that change with every write and tell a reader nothing.
    private static let unremarkableFields: Set<String> = ["updated_at", "version"]

    init(for notification: OutgoingNotification) {
        let facts = Facts(notification)
        subject = Self.subject(facts)
        body = Self.body(facts)
    }

    /// What the wording is made from, read once from the notification.
    private struct Facts {
        var notification: OutgoingNotification
        var actor: String
        var taskID: String?
        var title: String?
        var assignee: (id: String, name: String)?

        init(_ notification: OutgoingNotification) {
            self.notification = notification
            actor = HeaderField.singleLine(notification.actor.name).nonEmpty ?? notification.actor.id
            let task = notification.task
            taskID = task?["task_id"]?.stringValue ?? task?["id"]?.stringValue
            title = task?["title"]?.stringValue
            switch task?["assignee"] {
            case .string(let id)?:
                assignee = (id, Facts.name(of: id, in: notification))
            case .object(let person)?:
                let id = person["user_id"]?.stringValue ?? person["id"]?.stringValue ?? ""
                let name = person["name"]?.stringValue.flatMap { HeaderField.singleLine($0).nonEmpty }
                assignee = (id, name ?? Facts.name(of: id, in: notification))
            default:
                assignee = nil
            }
        }

        /// The name the notification knows for a user id: the recipient's or the actor's, else the id.
        static func name(of id: String, in notification: OutgoingNotification) -> String {
            if id == notification.recipient.id { return notification.recipient.name }
            if id == notification.actor.id { return notification.actor.name }
            return id
        }

        var isRecipientAssignee: Bool { assignee?.id == notification.recipient.id }

        /// `"Fix login bug" (tsk_1)`, the title cut to ``EmailContent/subjectTitleLimit``.
        var shortTaskName: String {
            let text = HeaderField.singleLine(title ?? "")
            let cut =
                text.count > EmailContent.subjectTitleLimit
                ? String(text.prefix(EmailContent.subjectTitleLimit - 1)) + "…" : text
            return named(cut)
        }

        /// `"Fix login bug" (tsk_1)` with the whole title.
        var fullTaskName: String { named(HeaderField.singleLine(title ?? "")) }

        private func named(_ text: String) -> String {
            switch (text.isEmpty, taskID) {
            case (false, let id?): "\"\(text)\" (\(id))"
            case (false, nil): "\"\(text)\""
            case (true, let id?): "task \(id)"
            case (true, nil): "a task"
            }
        }

        var due: String? {
            guard let text = notification.task?["due_date"]?.stringValue else { return nil }
            return MailTimestamp(rfc3339: text)?.readable ?? text
        }

        var eventWords: String {
            notification.eventType.replacing("_", with: " ")
        }
    }

    private static func subject(_ facts: Facts) -> String {
        sentence(facts, taskName: facts.shortTaskName)
    }

    /// The one sentence that says what happened, shared by subject and body.
    private static func sentence(_ facts: Facts, taskName: String) -> String {
        let actor = facts.actor
        switch facts.notification.eventType {
        case "task_assigned":
            if facts.isRecipientAssignee { return "\(actor) assigned you \(taskName)" }
            if let assignee = facts.assignee { return "\(actor) assigned \(taskName) to \(assignee.name)" }
            return "\(actor) unassigned \(taskName)"
        case "task_completed": return "\(actor) completed \(taskName)"
        case "task_created": return "\(actor) created \(taskName)"
        case "task_updated": return "\(actor) updated \(taskName)"
        case "task_cancelled": return "\(actor) cancelled \(taskName)"
        case "task_reopened": return "\(actor) reopened \(taskName)"
        case "task_deleted": return "\(actor) deleted \(taskName)"
        case "comment_added": return "\(actor) commented on \(taskName)"
        case "task_overdue": return "\(taskName) is overdue" + (facts.due.map { " (due \($0))" } ?? "")
        case "task_due_soon": return "\(taskName) is due soon" + (facts.due.map { " (due \($0))" } ?? "")
        default:
            guard facts.taskID != nil || facts.title != nil else { return "\(actor): \(facts.eventWords)" }
            return "\(actor): \(facts.eventWords) on \(taskName)"
        }
    }

    private static func body(_ facts: Facts) -> String {
        let notification = facts.notification
        var lines: [String] = []
        lines.append(
            "Hello \(HeaderField.singleLine(notification.recipient.name).nonEmpty ?? notification.recipient.id),")
        lines.append("")
        lines.append(sentence(facts, taskName: facts.fullTaskName) + ".")

        if notification.eventType == "comment_added", let comment = notification.comment {
            lines.append("")
            lines.append("\(facts.actor) wrote:")
            lines.append("")
            let text = comment["text"]?.stringValue ?? ""
            for line in QuotedPrintable.logicalLines(text) {
                lines.append(line.isEmpty ? ">" : "> " + line)
            }
        }

        let changeLines = changeLines(notification)
        if !changeLines.isEmpty, notification.eventType != "task_created", notification.eventType != "comment_added" {
            lines.append("")
            lines.append("What changed:")
            lines.append(contentsOf: changeLines)
        }

        if let task = notification.task {
            lines.append("")
            lines.append("Task:")
            lines.append(field("Title", HeaderField.singleLine(facts.title ?? "").nonEmpty ?? "(untitled)"))
            if let id = facts.taskID { lines.append(field("Id", id)) }
            if let status = task["status"]?.stringValue { lines.append(field("Status", status)) }
            if let priority = task["priority"]?.stringValue { lines.append(field("Priority", priority)) }
            lines.append(field("Due", facts.due ?? "none"))
            let assignee = facts.assignee.map { $0.name == $0.id ? $0.id : "\($0.name) (\($0.id))" }
            lines.append(field("Assignee", assignee ?? "nobody"))
            if let id = facts.taskID {
                lines.append("")
                lines.append("To read it, call tasks.get with {\"task_id\": \"\(id)\"}.")
            }
        }

        lines.append("")
        lines.append("-- ")
        lines.append(
            "taskwire notification \(notification.notificationID) (event \(notification.eventType) "
                + "\(notification.eventID), delivery \(notification.deliveryID))")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func field(_ label: String, _ value: String) -> String {
        "  " + (label + ":").padding(to: 10) + value
    }

    /// `  status: pending -> in_progress`, one line per changed field, in the commit's order.
    private static func changeLines(_ notification: OutgoingNotification) -> [String] {
        guard let changes = notification.changes?.objectValue else { return [] }
        return changes.members.compactMap { member -> String? in
            guard !unremarkableFields.contains(member.key) else { return nil }
            let old = describe(member.value["old"])
            let new = describe(member.value["new"])
            return "  \(member.key): \(old) -> \(new)"
        }
    }

    private static func describe(_ value: JSONValue?) -> String {
        let text: String
        switch value {
        case nil, .null?: text = "none"
        case .string(let string)?: text = HeaderField.singleLine(string)
        case let other?: text = JSONWriter.string(other)
        }
        return text.count > changeValueLimit ? String(text.prefix(changeValueLimit - 1)) + "…" : text
    }
}

extension String {
    /// Nil for the empty string.
    var nonEmpty: String? { isEmpty ? nil : self }

    /// The string followed by spaces up to `width` characters.
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
