import JSON
package import TaskStore

extension Engine {
    // MARK: Configuration

    /// Changes the notification configuration of the caller, of another user (admins) or the server-wide
    /// default (admins). Members left out keep their value; a user without a configuration of their own
    /// starts from the default's. A webhook given without a secret gets a generated one, returned once.
    package func configureNotifications(
        _ settings: NotificationSettings, for target: NotificationTarget, by caller: Caller
    ) throws(EngineError) -> Committed<NotificationConfigView> {
        let user = try notificationUser(target, caller: caller)
        let ledger = state.notifications
        var config = user.map { ledger.effectiveConfig(of: $0).config } ?? ledger.defaultConfig
        if let events = settings.events {
            config.events = try NotificationValidator.names(
                events, known: NotificationConfig.notifiableEvents, field: "events")
        }
        if let channels = settings.channels {
            config.channels = try NotificationValidator.names(
                channels, known: NotificationConfig.channelNames, field: "channels")
        }
        if let recipients = settings.recipients {
            config.recipients = try NotificationValidator.names(
                recipients, known: NotificationConfig.recipientNames, field: "recipients")
        }
        switch settings.remindBeforeMinutes {
        case .keep: break
        case .clear: config.remindBeforeMinutes = nil
        case .set(let minutes): config.remindBeforeMinutes = try NotificationValidator.remindBeforeMinutes(minutes)
        }
        var generated: String?
        switch settings.webhook {
        case .keep: break
        case .clear: config.webhook = nil
        case .set(let input):
            let url = try NotificationValidator.webhookURL(input.url)
            let secret: String
            if let given = input.secret {
                secret = try NotificationValidator.webhookSecret(given)
            } else {
                secret = NotificationValidator.generatedSecret()
                generated = secret
            }
            config.webhook = NotificationConfig.Webhook(url: url, secret: secret)
        }
        if config.channels.contains("webhook"), config.webhook == nil {
            throw .invalid(
                "channels", "The webhook channel needs a webhook: give webhook {url} or leave webhook out of channels.")
        }
        let source = user == nil ? "default" : "own"
        let unchanged = user.map { ledger.configs[$0] == config } ?? (ledger.defaultConfig == config)
        guard !unchanged else {
            let view = NotificationConfigView(user: user, config: config, source: source, generatedSecret: generated)
            return Committed(view, ticket: store.barrier())
        }
        let event = Event(
            seq: state.lastSeq + 1, type: .notificationConfigured, at: state.eventTime(now: clock.now()),
            actor: caller.user, agent: caller.agent, subject: .user(user ?? NotificationLedger.defaultSubject),
            version: 0, changes: [:], detail: config.storedJSON)
        let (_, ticket) = try commitChange(event)
        if case .keep = settings.remindBeforeMinutes {
        } else if let user {
            replanReminders(assignedTo: user)
        } else {
            // The default's lead applies to every task whose assignee has none of their own.
            replanReminders()
        }
        return Committed(
            NotificationConfigView(user: user, config: config, source: source, generatedSecret: generated),
            ticket: ticket)
    }

    /// The configuration that applies to the caller, another user (admins) or the default (anyone), and
    /// whether it is the user's own or inherited from the default.
    package func notificationConfig(
        for target: NotificationTarget, by caller: Caller
    ) throws(EngineError)
        -> NotificationConfigView
    {
        try authorize(.read, caller)
        let ledger = state.notifications
        if case .serverDefault = target {
            return NotificationConfigView(user: nil, config: ledger.defaultConfig, source: "default")
        }
        guard let user = try notificationUser(target, caller: caller) else {
            return NotificationConfigView(user: nil, config: ledger.defaultConfig, source: "default")
        }
        let (config, own) = ledger.effectiveConfig(of: user)
        return NotificationConfigView(user: user, config: config, source: own ? "own" : "default")
    }

    /// The user a configuration call concerns (`nil`: the default), refusing other users and the default to
    /// everyone but admins.
    private func notificationUser(_ target: NotificationTarget, caller: Caller) throws(EngineError) -> UserID? {
        switch target {
        case .caller: return caller.user
        case .user(let user):
            _ = try IdentityValidator.userID(user)
            guard user == caller.user || caller.role == .admin else {
                throw .permissionDenied("Only an admin may read or change another user's notification settings")
            }
            return user
        case .serverDefault:
            guard caller.role == .admin else {
                throw .permissionDenied("Only an admin may change the default notification settings")
            }
            return nil
        }
    }

    // MARK: Inbox

    /// A page of the caller's inbox, newest first; with `unreadOnly`, unread notifications only.
    package func notifications(
        unreadOnly: Bool = false, page: Int = 1, limit: Int = 20, for caller: Caller
    ) throws(EngineError) -> NotificationPage {
        try IdentityValidator.paging(page: page, limit: limit)
        let inbox = state.notifications.inbox(of: caller.user)
        let selected = unreadOnly ? inbox.filter { $0.readAt == nil } : inbox
        let newestFirst = Array(selected.reversed())
        let shown = newestFirst.page(page, limit: limit).map(listJSON)
        return NotificationPage(
            notifications: shown, total: selected.count, unreadCount: inbox.count { $0.readAt == nil }, page: page,
            limit: limit)
    }

    /// Marks notifications of the caller's inbox read: the given ids, or every one with `ids` nil. Ids that
    /// are not in the caller's inbox are returned in ``MarkedRead/notFound``; notifications already read
    /// stay as they were. Nothing is recorded when nothing changes.
    package func markNotificationsRead(_ ids: [String]?, by caller: Caller) throws(EngineError) -> Committed<MarkedRead>
    {
        let inbox = state.notifications.inbox(of: caller.user)
        var changing: [String] = []
        var notFound: [String] = []
        if let ids {
            for id in try NotificationValidator.notificationIDs(ids) {
                guard let index = NotificationLedger.index(of: id, in: inbox) else {
                    if !notFound.contains(id) { notFound.append(id) }
                    continue
                }
                if inbox[index].readAt == nil, !changing.contains(id) { changing.append(id) }
            }
        } else {
            changing = inbox.filter { $0.readAt == nil }.map(\.id)
        }
        let unread = inbox.count { $0.readAt == nil }
        guard !changing.isEmpty else {
            return Committed(MarkedRead(updated: 0, unreadCount: unread, notFound: notFound), ticket: store.barrier())
        }
        let detail: JSONValue = ids == nil ? ["all": .bool(true)] : ["ids": .array(changing.map(JSONValue.string))]
        let event = Event(
            seq: state.lastSeq + 1, type: .notificationsRead, at: state.eventTime(now: clock.now()),
            actor: caller.user, agent: caller.agent, subject: .user(caller.user), version: 0, changes: [:],
            detail: detail)
        let (_, ticket) = try commitChange(event)
        return Committed(
            MarkedRead(updated: changing.count, unreadCount: unread - changing.count, notFound: notFound),
            ticket: ticket)
    }

    /// How many of a user's notifications are unread.
    package func unreadCount(of user: UserID) -> Int { state.notifications.inbox(of: user).count { $0.readAt == nil } }

    /// The inbox notifications that commits `seqs` brought to `users`, oldest first, each with its
    /// recipient's unread count now: what is pushed to their connections.
    package func newNotifications(for users: Set<UserID>, seqs: ClosedRange<UInt64>) -> [NewNotification] {
        var found: [NewNotification] = []
        for user in users.sorted() {
            let inbox = state.notifications.inbox(of: user)
            let fresh = inbox.reversed().prefix { $0.seq >= seqs.lowerBound }.reversed().filter {
                seqs.contains($0.seq)
            }
            guard !fresh.isEmpty else { continue }
            let unread = inbox.count { $0.readAt == nil }
            for notification in fresh {
                found.append(
                    NewNotification(recipient: user, notification: listJSON(notification), unreadCount: unread))
            }
        }
        return found
    }

    private func listJSON(_ notification: InboxNotification) -> JSONValue {
        notification.json(actorName: directory.profile(of: notification.actor)?.name)
    }

    // MARK: Deliveries

    /// Every delivery owed over an outside channel, by delivery id (oldest first).
    package var pendingDeliveries: [PendingDelivery] {
        state.notifications.pending.keys.sorted().compactMap { state.notifications.pending[$0] }
    }

    /// What a channel needs to deliver `id`, or `nil` once it is no longer pending.
    package func deliverySource(_ id: String) -> DeliverySource? {
        guard let delivery = state.notifications.pending[id] else { return nil }
        let notification = delivery.notification
        let event = try? Event(bytes: Array(state.log.bytes(at: Int(notification.seq) - 1)))
        var task: JSONValue?
        if let taskID = notification.taskID {
            var folds: [TaskID: (state: EngineState, seq: UInt64)] = [:]
            if let item = try? taskState(taskID, at: notification.seq, folds: &folds) { task = detailJSON(of: item) }
        }
        let recipient = state.identity.user(notification.recipient)
        let actor = state.identity.user(notification.actor)
        return DeliverySource(
            delivery: delivery, recipientName: recipient?.name ?? notification.recipient.text,
            recipientEmail: recipient?.email, actorName: actor?.name ?? notification.actor.text,
            actorEmail: actor?.email, task: task,
            comment: event?.type == .commentAdded ? event?.detail : nil,
            changes: (event?.changes.isEmpty ?? true) ? nil : event.map { .object($0.changes) },
            payload: listJSON(notification),
            webhook: state.notifications.effectiveConfig(of: notification.recipient).config.webhook)
    }

    /// Records a pending delivery's outcome (`delivered`, or `failed` once given up) as the built-in
    /// `system` user; `nil` when it is no longer pending (recorded already).
    package func recordDelivery(
        _ id: String, delivered: Bool, attempts: Int, reason: String? = nil
    ) throws(EngineError) -> CommitTicket? {
        guard let delivery = state.notifications.pending[id] else { return nil }
        var detail: JSONObject = [
            "delivery_id": .string(id), "channel": .string(delivery.channel),
            "outcome": .string(delivered ? "delivered" : "failed"), "attempts": .int(attempts),
        ]
        detail.append("reason", ifPresent: reason.map(JSONValue.string))
        let event = Event(
            seq: state.lastSeq + 1, type: .notificationDelivered, at: state.eventTime(now: clock.now()),
            actor: Caller.system.user, subject: .user(delivery.notification.recipient), version: 0, changes: [:],
            detail: .object(detail))
        let (_, ticket) = try commitChange(event)
        return ticket
    }
}
