package import JSON

/// What one person hears about, over which channels, and in which roles: a user's own configuration or the
/// server-wide default that users without one inherit (see docs/notifications.md).
package struct NotificationConfig: Sendable, Equatable {
    /// Where a webhook delivery goes and the key its signature is made with.
    package struct Webhook: Sendable, Equatable {
        /// An `http` or `https` URL.
        package var url: String
        /// The HMAC-SHA256 key; shown once, in the `notifications.configure` that set it.
        package var secret: String

        package init(url: String, secret: String) {
            self.url = url
            self.secret = secret
        }
    }

    /// Feed event types that notify (`task_assigned`, `comment_added`, …), in the order given.
    package var events: [String]
    /// `in_app`, `email`, `webhook`.
    package var channels: [String]
    /// `assignee`, `watchers`, `creator`, `mentioned`.
    package var recipients: [String]
    /// How long before a due date a `task_due_soon` reminder fires; `nil` for none.
    package var remindBeforeMinutes: Int?
    /// The webhook the `webhook` channel posts to; `nil` when none is registered.
    package var webhook: Webhook?

    package init(
        events: [String], channels: [String], recipients: [String], remindBeforeMinutes: Int? = nil,
        webhook: Webhook? = nil
    ) {
        self.events = events
        self.channels = channels
        self.recipients = recipients
        self.remindBeforeMinutes = remindBeforeMinutes
        self.webhook = webhook
    }

    /// The server-wide default before an admin changes it: the spec's four events, the inbox only, to the
    /// assignee and watchers. Email is off by default because not every user has an address in the
    /// directory and a server should not start mailing people before an operator chose a mail command.
    package static let standard = NotificationConfig(
        events: ["task_assigned", "task_completed", "task_overdue", "comment_added"], channels: ["in_app"],
        recipients: ["assignee", "watchers"]
    )

    /// Feed event types a configuration may name. `task_overdue` and `task_due_soon` come from the overdue
    /// scheduler.
    package static let notifiableEvents = [
        "task_created", "task_assigned", "task_updated", "task_completed", "task_cancelled", "task_reopened",
        "task_deleted", "task_overdue", "task_due_soon", "comment_added", "attachment_added", "workflow_step_ready",
    ]
    /// Channel names.
    package static let channelNames = ["in_app", "email", "webhook"]
    /// Recipient role names.
    package static let recipientNames = ["assignee", "watchers", "creator", "mentioned"]

    /// The configuration as journal records and snapshots keep it: every member, the secret included.
    var storedJSON: JSONValue {
        var object = publicMembers
        object.append(
            "webhook", webhook.map { ["url": .string($0.url), "secret": .string($0.secret)] } ?? .null)
        return .object(object)
    }

    /// The configuration as `notifications.get_config` shows it: the webhook's URL and whether a secret is
    /// set, never the secret.
    package var json: JSONValue {
        var object = publicMembers
        object.append(
            "webhook", webhook.map { ["url": .string($0.url), "secret_set": .bool(!$0.secret.isEmpty)] } ?? .null)
        return .object(object)
    }

    private var publicMembers: JSONObject {
        [
            "events": .array(events.map(JSONValue.string)),
            "channels": .array(channels.map(JSONValue.string)),
            "recipients": .array(recipients.map(JSONValue.string)),
            "remind_before_minutes": remindBeforeMinutes.map(JSONValue.int) ?? .null,
        ]
    }

    /// Reads ``storedJSON`` back.
    init(stored value: JSONValue) throws(EngineError) {
        guard let object = value.objectValue, let events = object["events"]?.arrayValue?.compactMap(\.stringValue),
            let channels = object["channels"]?.arrayValue?.compactMap(\.stringValue),
            let recipients = object["recipients"]?.arrayValue?.compactMap(\.stringValue)
        else { throw .damaged("a notification configuration lacks a required member") }
        var webhook: Webhook?
        if let hook = object["webhook"]?.objectValue {
            guard let url = hook["url"]?.stringValue, let secret = hook["secret"]?.stringValue else {
                throw .damaged("a notification webhook lacks its url or secret")
            }
            webhook = Webhook(url: url, secret: secret)
        }
        self.init(
            events: events, channels: channels, recipients: recipients,
            remindBeforeMinutes: object["remind_before_minutes"]?.intValue, webhook: webhook)
    }
}
