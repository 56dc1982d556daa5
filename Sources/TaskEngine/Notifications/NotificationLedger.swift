import Foundation
import JSON

/// The notifications domain: every user's configuration and the server-wide default, every inbox, and the
/// deliveries still owed over email and webhook.
///
/// Configurations, reads and delivery outcomes arrive as internal events (`notification_configured`,
/// `notifications_read`, `notification_delivery`). Inbox notifications and pending deliveries are not
/// journaled: ``route(_:task:state:)`` derives them from every committed feed event and the configurations
/// in force at its commit, with ids made of the event's `seq`, so replaying a journal rebuilds the same
/// inboxes and the same pending deliveries. Snapshots keep what routing derived.
struct NotificationLedger: Ledger {
    /// A checked notifications event, ready to commit without failing.
    enum Change: Sendable {
        /// A user's configuration (`nil` user: the server-wide default) is replaced.
        case configured(UserID?, NotificationConfig)
        /// These notifications of the user, or all of them, are read from the event's time.
        case read(UserID, ids: [String]?)
        /// A delivery's outcome (`delivered` or `failed`).
        case delivered(id: String, outcome: String)
    }

    static let lineKinds: [SnapshotLine.Kind] = [.notificationConfig, .notification, .notificationDelivery]

    /// The subject id that stands for the server-wide default in a `notification_configured` event (no
    /// user id can be `*`).
    static let defaultSubject: UserID = "*"

    private(set) var defaultConfig = NotificationConfig.standard
    private(set) var configs: [UserID: NotificationConfig] = [:]
    /// Each user's inbox, oldest first (ids ascending).
    private(set) var inboxes: [UserID: [InboxNotification]] = [:]
    /// Deliveries owed over outside channels, by delivery id.
    private(set) var pending: [String: PendingDelivery] = [:]

    /// The configuration that applies to `user`, and whether it is their own.
    func effectiveConfig(of user: UserID) -> (config: NotificationConfig, own: Bool) {
        if let own = configs[user] { return (own, true) }
        return (defaultConfig, false)
    }

    /// A user's inbox, oldest first.
    func inbox(of user: UserID) -> [InboxNotification] { inboxes[user] ?? [] }

    // MARK: Events

    func prepare(_ event: Event, in state: EngineState) throws(EngineError) -> Change {
        func damaged(_ detail: String) -> EngineError { .damaged("event \(event.seq) \(detail)") }
        guard case .user(let user) = event.subject else { throw damaged("is not a notifications event") }
        switch event.type {
        case .notificationConfigured:
            guard let detail = event.detail else { throw damaged("carries no configuration") }
            let config = try NotificationConfig(stored: detail)
            return .configured(user == Self.defaultSubject ? nil : user, config)
        case .notificationsRead:
            guard let detail = event.detail?.objectValue else { throw damaged("names no notifications") }
            if detail["all"]?.boolValue == true { return .read(user, ids: nil) }
            guard let ids = detail["ids"]?.arrayValue?.compactMap(\.stringValue) else {
                throw damaged("names no notifications")
            }
            return .read(user, ids: ids)
        case .notificationDelivered:
            guard let detail = event.detail?.objectValue, let id = detail["delivery_id"]?.stringValue,
                let outcome = detail["outcome"]?.stringValue
            else { throw damaged("carries no delivery outcome") }
            return .delivered(id: id, outcome: outcome)
        default:
            throw damaged("is not a notifications event")
        }
    }

    mutating func apply(_ change: Change, of event: Event) {
        switch change {
        case .configured(let user, let config):
            if let user { configs[user] = config } else { defaultConfig = config }
        case .read(let user, let ids):
            guard var inbox = inboxes[user] else { return }
            let wanted = ids.map(Set.init)
            for index in inbox.indices where inbox[index].readAt == nil {
                if wanted?.contains(inbox[index].id) ?? true { inbox[index].readAt = event.at }
            }
            inboxes[user] = inbox
        case .delivered(let id, let outcome):
            guard let delivery = pending.removeValue(forKey: id) else { return }
            let user = delivery.notification.recipient
            guard var inbox = inboxes[user], let index = Self.index(of: delivery.notification.id, in: inbox) else {
                return
            }
            inbox[index].deliveries[delivery.channel] = outcome
            inboxes[user] = inbox
        }
    }

    /// The position of notification `id` in an inbox (ids ascending), by binary search.
    static func index(of id: String, in inbox: [InboxNotification]) -> Int? {
        var low = 0
        var high = inbox.count
        while low < high {
            let middle = (low + high) / 2
            if inbox[middle].id < id { low = middle + 1 } else { high = middle }
        }
        return low < inbox.count && inbox[low].id == id ? low : nil
    }

    // MARK: Routing

    /// Derives the notifications of a committed event: for each of its feed events whose type someone
    /// configured, everyone the event's task reaches through a role they chose, except whoever made the
    /// change, once each; into their inbox when `in_app` is among their channels, and as a pending delivery
    /// for `email` and for `webhook` (when a webhook is registered).
    mutating func route(_ event: Event, task: TaskItem?, state: EngineState) {
        guard !event.isInternal else { return }
        let feedEvents = FeedEvent.events(of: event, task: task)
        for feedEvent in feedEvents where NotificationConfig.notifiableEvents.contains(feedEvent.type.rawValue) {
            var subject = task
            if subject == nil, let id = event.detail?["task_id"]?.stringValue.flatMap(TaskID.init),
                let slot = state.tasks.slot(of: id)
            {
                subject = state.tasks.task(at: slot)
            }
            guard let subject else { continue }
            route(feedEvent, task: subject, state: state)
        }
    }

    private mutating func route(_ feedEvent: FeedEvent, task: TaskItem, state: EngineState) {
        let event = feedEvent.source
        let type = feedEvent.type.rawValue
        var roles: [UserID: [String]] = [:]
        func reach(_ user: UserID, _ role: String) {
            guard user != event.actor, user != event.agent else { return }
            if roles[user]?.contains(role) != true { roles[user, default: []].append(role) }
        }
        if let assignee = task.assignee { reach(assignee, "assignee") }
        for watcher in task.watchers { reach(watcher, "watchers") }
        reach(task.createdBy, "creator")
        let isUser = { (id: UserID) in state.identity.user(id) != nil }
        var mentioned = Mentions.users(in: task.description ?? "", isUser: isUser)
        if event.type == .commentAdded, let comment = event.detail?.objectValue {
            mentioned += Mentions.users(in: comment["text"]?.stringValue ?? "", isUser: isUser)
            mentioned += (comment["mentions"]?.arrayValue ?? []).compactMap { $0.stringValue.map { UserID($0) } }
        }
        for user in mentioned { reach(user, "mentioned") }
        var ordinal = 0
        for user in roles.keys.sorted() {
            let config = effectiveConfig(of: user).config
            let reached = (roles[user] ?? []).filter(config.recipients.contains)
            // Creating a task with an assignee assigns it: its assignee hears of it as an assignment.
            var types = [type]
            if feedEvent.type == .taskCreated, task.assignee == user { types.insert("task_assigned", at: 0) }
            guard let chosen = types.first(where: config.events.contains), !reached.isEmpty else { continue }
            var channels = config.channels
            if config.webhook == nil { channels.removeAll { $0 == "webhook" } }
            guard !channels.isEmpty else { continue }
            let notification = InboxNotification(
                id: InboxNotification.id(seq: event.seq, index: feedEvent.cursor.index, ordinal: ordinal),
                recipient: user, seq: event.seq, type: chosen, eventID: feedEvent.id, taskID: task.id,
                taskTitle: task.title, actor: event.actor, agent: event.agent,
                message: Self.message(
                    of: FeedEventType(rawValue: chosen), event: event, task: task, recipient: user, state: state),
                roles: reached,
                channels: channels, createdAt: event.at)
            ordinal += 1
            if channels.contains("in_app") { insert(notification) }
            for channel in channels where channel != "in_app" {
                let id = notification.deliveryID(channel: channel)
                pending[id] = PendingDelivery(id: id, channel: channel, notification: notification)
            }
        }
    }

    /// Adds a notification to its recipient's inbox, dropping the oldest read one (else the oldest) past
    /// ``NotificationLimits/inboxSize``.
    private mutating func insert(_ notification: InboxNotification) {
        var inbox = inboxes.removeValue(forKey: notification.recipient) ?? []
        inbox.append(notification)
        if inbox.count > NotificationLimits.inboxSize {
            let drop = inbox.firstIndex { $0.readAt != nil } ?? 0
            inbox.remove(at: drop)
        }
        inboxes[notification.recipient] = inbox
    }

    /// One sentence saying what happened, naming people as the directory names them at the commit.
    static func message(
        of type: FeedEventType, event: Event, task: TaskItem, recipient: UserID, state: EngineState
    ) -> String {
        func name(_ user: UserID) -> String { state.identity.user(user)?.name ?? user.text }
        let actor = name(event.actor)
        let title = "\u{201C}\(task.title)\u{201D}"
        switch type {
        case .taskCreated: return "\(actor) created \(title)."
        case .taskAssigned:
            guard let assignee = task.assignee else { return "\(actor) unassigned \(title)." }
            return assignee == recipient
                ? "\(actor) assigned \(title) to you." : "\(actor) assigned \(title) to \(name(assignee))."
        case .taskUpdated: return "\(actor) updated \(title)."
        case .taskCompleted: return "\(actor) completed \(title)."
        case .taskCancelled: return "\(actor) cancelled \(title)."
        case .taskReopened: return "\(actor) reopened \(title)."
        case .taskDeleted: return "\(actor) deleted \(title)."
        case .commentAdded: return "\(actor) commented on \(title)."
        case .attachmentAdded: return "\(actor) attached a file to \(title)."
        case .workflowStepReady:
            let step = event.detail?["name"]?.stringValue.map { " \u{201C}\($0)\u{201D}" } ?? ""
            return "Workflow step\(step) is ready to start: \(title)."
        default:
            switch type.rawValue {
            case "task_overdue": return "\(title) is overdue."
            case "task_due_soon": return "\(title) is due soon."
            default: return "\(actor): \(type.rawValue.replacingOccurrences(of: "_", with: " ")) on \(title)."
            }
        }
    }

    // MARK: Snapshots

    /// The default when it differs from the standard one, each user's configuration by user id, every
    /// inbox notification by user then id, then every pending delivery by id.
    func writeSnapshot(into writer: inout SnapshotWriter, state: EngineState) {
        if defaultConfig != .standard {
            writer.write(.notificationConfig, ["default": .bool(true), "config": defaultConfig.storedJSON])
        }
        for user in configs.keys.sorted() {
            writer.write(.notificationConfig, ["user_id": user.json, "config": configs[user]?.storedJSON ?? .null])
        }
        for user in inboxes.keys.sorted() {
            for notification in inboxes[user] ?? [] { writer.write(.notification, notification.storedJSON) }
        }
        for id in pending.keys.sorted() {
            guard let delivery = pending[id] else { continue }
            writer.write(
                .notificationDelivery,
                [
                    "delivery_id": .string(id), "channel": .string(delivery.channel),
                    "notification": .object(delivery.notification.storedJSON),
                ])
        }
    }

    mutating func load(_ lines: [SnapshotLine.Kind: [SnapshotLine]], state: EngineState) throws(EngineError) {
        for line in lines[.notificationConfig] ?? [] {
            let object = try line.object()
            let config = try NotificationConfig(stored: object["config"] ?? .null)
            if object["default"]?.boolValue == true {
                defaultConfig = config
            } else if let user = object["user_id"]?.stringValue {
                configs[UserID(user)] = config
            } else {
                throw .damaged("a notification configuration names no user")
            }
        }
        // One per recipient of every notification kept: parsed on every core.
        let notifications = try (lines[.notification] ?? []).parallelMap { line throws(EngineError) in
            try InboxNotification(stored: try line.object())
        }
        for notification in notifications { inboxes[notification.recipient, default: []].append(notification) }
        for user in inboxes.keys { inboxes[user]?.sort { $0.id < $1.id } }
        for line in lines[.notificationDelivery] ?? [] {
            let object = try line.object()
            guard let id = object["delivery_id"]?.stringValue, let channel = object["channel"]?.stringValue,
                let stored = object["notification"]?.objectValue
            else { throw .damaged("a pending delivery lacks a required member") }
            pending[id] = PendingDelivery(id: id, channel: channel, notification: try InboxNotification(stored: stored))
        }
    }

    // MARK: Export and import

    /// `notification_configs`: the default when changed and every user's own, as snapshots keep them; left
    /// out when there are none, so documents of stores without notification settings stay as they were.
    /// Inboxes and pending deliveries are rebuilt from the events on import.
    func export(into document: inout JSONObject, state: EngineState) {
        let listed = configList
        guard !listed.isEmpty else { return }
        document.append("notification_configs", .array(listed))
    }

    private var configList: [JSONValue] {
        var listed: [JSONValue] = []
        if defaultConfig != .standard { listed.append(["default": .bool(true), "config": defaultConfig.storedJSON]) }
        for user in configs.keys.sorted() {
            listed.append(["user_id": user.json, "config": configs[user]?.storedJSON ?? .null])
        }
        return listed
    }

    /// Configurations come from the events; the document's list (absent when empty) must agree with them.
    mutating func importMembers(of document: JSONObject, state: EngineState) throws(EngineError) {
        guard (document["notification_configs"]?.arrayValue ?? []) == configList else {
            throw .damaged("the document's notification configurations do not match its events")
        }
    }
}

extension SnapshotLine.Kind {
    static let notificationConfig = Self(rawValue: "notification_config")
    static let notification = Self(rawValue: "notification")
    static let notificationDelivery = Self(rawValue: "notification_delivery")
}
