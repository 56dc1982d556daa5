import Glibc
package import JSON

/// What kind of change an event records.
package enum EventType: String, Sendable, CaseIterable {
    case taskCreated = "task_created"
    /// The change moved the assignee (it may change other fields too; `changes` lists them all).
    case taskAssigned = "task_assigned"
    case taskUpdated = "task_updated"
    case taskCompleted = "task_completed"
    case taskDeleted = "task_deleted"
    /// An open task's due date passed (see docs/tasks.md, "Overdue and reminders"): committed by the engine as
    /// the built-in `system` user, once per due date; `overdue` holds `{due_date}`, the due date it fired for.
    /// It changes no field and leaves the task's version and `updated_at` alone.
    case taskOverdue = "task_overdue"
    /// An open task's due date is near: committed by the engine as `system` once per due date, the reminder
    /// lead before it; `due_soon` holds `{due_date, lead_seconds}`. Like `task_overdue`, it changes no field.
    case taskDueSoon = "task_due_soon"
    /// A user was added to the directory or changed; the subject is the user (internal, see
    /// ``EventType/isIdentity``).
    case userUpserted = "user_upserted"
    /// A bearer token was issued; the subject is the token and `changes` holds its hash, never the token.
    case tokenCreated = "token_created"
    /// A bearer token was revoked; the subject is the token.
    case tokenRevoked = "token_revoked"
    /// A comment was added (`comment` holds it); comments do not change the task's version.
    case commentAdded = "comment_added"
    /// An attachment was uploaded (`attachment` holds its metadata).
    case attachmentAdded = "attachment_added"
    /// An attachment was deleted (`attachment` holds the metadata it had).
    case attachmentDeleted = "attachment_deleted"
    /// A user started watching the task (`watcher` is the user id).
    case watcherAdded = "watcher_added"
    /// A user stopped watching the task (`watcher` is the user id).
    case watcherRemoved = "watcher_removed"
    // Workflows (the subject is the workflow; see docs/workflows.md).
    /// A workflow was created; `changes` holds its name, steps and context. The tasks of its steps are
    /// created by `task_created` events of the same record.
    case workflowCreated = "workflow_created"
    /// A workflow's name or steps changed, or it was reopened (`completed_at` cleared).
    case workflowUpdated = "workflow_updated"
    /// A step's last open dependency completed (`step` holds `{name, task_id}`); it may start now.
    case workflowStepReady = "workflow_step_ready"
    /// Every step's task is completed (`changes.completed_at`).
    case workflowCompleted = "workflow_completed"
    /// The workflow was cancelled (`changes.cancelled_at`), with its open tasks in the same record.
    case workflowCancelled = "workflow_cancelled"
    /// A template was created (`template` holds it whole); the subject is the template.
    case templateCreated = "template_created"
    /// A template was changed (`template` holds it after the change, `changes` the fields that moved).
    case templateUpdated = "template_updated"
    /// A template was deleted (`template` holds it as it was).
    case templateDeleted = "template_deleted"
    /// An automation was created (`automation` holds it whole); the subject is the automation.
    case automationCreated = "automation_created"
    /// An automation was changed (`automation` holds it after the change).
    case automationUpdated = "automation_updated"
    /// An automation was deleted (`automation` holds it as it was).
    case automationDeleted = "automation_deleted"
    // Notifications (internal; the subject is the user, `*` for the server-wide default; see
    // docs/notifications.md).
    /// A user's notification configuration, or the default, was replaced (`config` holds it whole).
    case notificationConfigured = "notification_configured"
    /// A user marked notifications read (`read` holds `{ids}` or `{all: true}`).
    case notificationsRead = "notifications_read"
    /// The delivery worker recorded a delivery's outcome (`delivery` holds `{delivery_id, channel,
    /// outcome, attempts, reason}`).
    case notificationDelivered = "notification_delivery"

    /// The parts of the engine that own events: one ledger each (see ``Ledger``).
    package enum Domain: Sendable, CaseIterable {
        case tasks
        case collaboration
        case identity
        case workflows
        case templates
        case automations
        case notifications
    }

    /// The domain whose ledger checks and applies events of this type.
    package var domain: Domain {
        switch self {
        case .taskCreated, .taskAssigned, .taskUpdated, .taskCompleted, .taskDeleted, .taskOverdue, .taskDueSoon:
            .tasks
        case .commentAdded, .attachmentAdded, .attachmentDeleted, .watcherAdded, .watcherRemoved: .collaboration
        case .userUpserted, .tokenCreated, .tokenRevoked: .identity
        case .workflowCreated, .workflowUpdated, .workflowStepReady, .workflowCompleted, .workflowCancelled:
            .workflows
        case .templateCreated, .templateUpdated, .templateDeleted: .templates
        case .automationCreated, .automationUpdated, .automationDeleted: .automations
        case .notificationConfigured, .notificationsRead, .notificationDelivered: .notifications
        }
    }

    /// The member of the event's JSON that names its subject (``EventSubject/key``): `task_id`, `user_id`
    /// or `token_id`.
    var subjectKey: String {
        switch self {
        case .userUpserted, .notificationConfigured, .notificationsRead, .notificationDelivered: "user_id"
        case .tokenCreated, .tokenRevoked: "token_id"
        case .workflowCreated, .workflowUpdated, .workflowStepReady, .workflowCompleted, .workflowCancelled:
            "workflow_id"
        case .templateCreated, .templateUpdated, .templateDeleted: "template_id"
        case .automationCreated, .automationUpdated, .automationDeleted: "automation_id"
        case .taskCreated, .taskAssigned, .taskUpdated, .taskCompleted, .taskDeleted, .taskOverdue, .taskDueSoon,
            .commentAdded, .attachmentAdded, .attachmentDeleted, .watcherAdded, .watcherRemoved:
            "task_id"
        }
    }

    /// Whether the engine itself commits events of this type when a due date comes near or passes: they
    /// change no field of the task and keep its version (see ``DueReminder``).
    package var isDueReminder: Bool { self == .taskOverdue || self == .taskDueSoon }

    /// Whether events of this type are about a task, and so carry the task's `version`.
    var concernsTask: Bool { subjectKey == "task_id" }

    /// The member that carries what a collaboration event is about (`comment`, `attachment`, `watcher`),
    /// or `nil` for changes of the task's own fields.
    package var detailKey: String? {
        switch self {
        case .taskAssigned, .taskUpdated, .taskCompleted, .taskDeleted, .userUpserted, .tokenCreated,
            .tokenRevoked:
            nil
        // The workflow after the change, so the event feed can show it (replay reads `changes`).
        case .workflowCreated, .workflowUpdated, .workflowCompleted, .workflowCancelled: "workflow"
        case .workflowStepReady: "step"
        // A task an automation created carries the firing (``AutomationFiring``); other creations carry none.
        case .taskCreated: "automation"
        // The due date the engine's own event fired for (see ``DueReminder``).
        case .taskOverdue: "overdue"
        case .taskDueSoon: "due_soon"
        case .commentAdded: "comment"
        case .attachmentAdded, .attachmentDeleted: "attachment"
        case .watcherAdded, .watcherRemoved: "watcher"
        case .templateCreated, .templateUpdated, .templateDeleted: "template"
        case .automationCreated, .automationUpdated, .automationDeleted: "automation"
        case .notificationConfigured: "config"
        case .notificationsRead: "read"
        case .notificationDelivered: "delivery"
        }
    }

}

/// One committed change: the journal record, the history entry and the event feed item in one.
///
/// Every change the engine commits is exactly one event, numbered by `seq` in commit order (1, 2, 3, …
/// with no gaps). Replaying the events in order rebuilds the engine's state, so the journal needs no other
/// record kind. `changes` maps each changed field to `{old, new}`; a creation lists every set field with
/// `old` null.
package struct Event: Sendable, Equatable {
    /// The format of a record, written into each one so that later versions can read old journals.
    package static let formatVersion = 1

    /// The global commit number.
    package var seq: UInt64
    package var type: EventType
    /// When the change was committed; never earlier than the previous event's time.
    package var at: Timestamp
    /// The user the change is attributed to.
    package var actor: UserID
    /// The agent that acted for `actor`, when one did (filled once agents act on behalf of users).
    package var agent: UserID?
    /// What the event is about: the task it changes, or for identity events the user or token, written
    /// under `task_id`, `user_id` or `token_id` (``EventSubject/key``).
    package var subject: EventSubject
    /// The task's version after the change (0 and not written for identity events).
    package var version: Int
    /// `{field: {old, new}}` for every field the change touched.
    package var changes: JSONObject
    /// The creating user's idempotency key (creations only).
    package var idempotencyKey: String?
    /// A hash of the creation's canonical params, to tell a retry from a conflicting reuse of the key.
    package var fingerprint: String?
    /// What a collaboration event is about, written under ``EventType/detailKey``: the comment, the
    /// attachment's metadata, or the watcher's user id.
    package var detail: JSONValue?

    package init(
        seq: UInt64, type: EventType, at: Timestamp, actor: UserID, agent: UserID? = nil, subject: EventSubject,
        version: Int, changes: JSONObject, idempotencyKey: String? = nil, fingerprint: String? = nil,
        detail: JSONValue? = nil
    ) {
        self.seq = seq
        self.type = type
        self.at = at
        self.actor = actor
        self.agent = agent
        self.subject = subject
        self.version = version
        self.changes = changes
        self.idempotencyKey = idempotencyKey
        self.fingerprint = fingerprint
        self.detail = detail
    }

    /// The event as the journal stores it and the event feed shows it.
    package var json: JSONValue {
        var object: JSONObject = [
            "v": .int(Self.formatVersion),
            "seq": .number(String(seq)),
            "type": .string(type.rawValue),
            "at": .string(at.rfc3339),
            "actor": actor.json,
        ]
        object.append("agent", ifPresent: agent?.json)
        object.append(subject.key, .string(subject.text))
        if type.concernsTask { object.append("version", .int(version)) }
        object.append("changes", .object(changes))
        object.append("idempotency_key", ifPresent: idempotencyKey.map(JSONValue.string))
        object.append("fingerprint", ifPresent: fingerprint.map(JSONValue.string))
        if let key = type.detailKey { object.append(key, ifPresent: detail) }
        return .object(object)
    }

    /// The task the event concerns (tasks and collaboration events), or `nil`.
    package var taskID: TaskID? { subject.taskID }

    /// The compact bytes of ``json``: exactly what is appended to the journal.
    package var bytes: [UInt8] { JSONWriter.bytes(json) }

    /// Reads an event back from its JSON form; throws ``EngineError/damaged(_:)`` when it is not one.
    package init(json: JSONValue) throws(EngineError) {
        guard let object = json.objectValue else { throw .damaged("an event is not a JSON object") }
        guard object["v"]?.intValue == Self.formatVersion else {
            throw .damaged("an event has an unknown format version")
        }
        guard let seqText = object["seq"], case .number(let literal) = seqText, let seq = UInt64(literal),
            let type = object["type"]?.stringValue.flatMap(EventType.init(rawValue:)),
            let at = object["at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            let actor = object["actor"]?.stringValue,
            let subject = EventSubject(of: type, in: object),
            let version = type.concernsTask ? object["version"]?.intValue : 0,
            let changes = object["changes"]?.objectValue
        else { throw .damaged("an event lacks a required member") }
        self.init(
            seq: seq, type: type, at: at, actor: UserID(actor), agent: object["agent"]?.stringValue.map { UserID($0) },
            subject: subject, version: version, changes: changes,
            idempotencyKey: object["idempotency_key"]?.stringValue, fingerprint: object["fingerprint"]?.stringValue,
            detail: type.detailKey.flatMap { object[$0] }
        )
    }

    /// How every record the engine writes starts.
    private static let recordPrefix: [UInt8] = Array(#"{"v":1,"seq":"#.utf8)

    /// The `seq` of a record, read from the start the engine writes (`{"v":1,"seq":N,`) without parsing the
    /// rest, or by parsing a record written otherwise; `nil` when it has none.
    static func seq(ofRecord record: ArraySlice<UInt8>) -> UInt64? {
        // Read with memcmp and a plain loop: this runs once per event of a snapshot.
        let prefix = recordPrefix
        let fast = record.withUnsafeBufferPointer { buffer -> UInt64? in
            guard let base = buffer.baseAddress, buffer.count > prefix.count, memcmp(base, prefix, prefix.count) == 0
            else { return nil }
            var value: UInt64 = 0
            var index = prefix.count
            while index < buffer.count, buffer[index] >= 0x30, buffer[index] <= 0x39 {
                let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
                let (sum, carry) = shifted.addingReportingOverflow(UInt64(buffer[index] - 0x30))
                guard !overflow, !carry else { return nil }
                value = sum
                index += 1
            }
            return index > prefix.count && index < buffer.count && buffer[index] == UInt8(ascii: ",") ? value : nil
        }
        if let fast { return fast }
        guard let seq = try? JSONParser.parse(record)["seq"], case .number(let literal) = seq else { return nil }
        return UInt64(literal)
    }

    /// Reads an event from journal bytes.
    package init(bytes: [UInt8]) throws(EngineError) {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw .damaged("an event is not valid JSON: \(error)") }
        try self.init(json: value)
    }

    /// The event as a `tasks.history` entry: `{seq, at, actor, agent, action, version, changes}`, plus
    /// `comment`, `attachment` or `watcher` for collaboration events.
    package var historyJSON: JSONValue {
        var object: JSONObject = [
            "seq": .number(String(seq)),
            "at": .string(at.rfc3339),
            "actor": actor.json,
            "agent": agent?.json ?? .null,
            "action": .string(type.rawValue),
            "version": .int(version),
            "changes": .object(changes),
        ]
        if let key = type.detailKey { object.append(key, ifPresent: detail) }
        return .object(object)
    }
}
