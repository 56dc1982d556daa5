package import JSON

/// One notification on its way to one person over one outside channel (email or webhook).
///
/// The delivery worker builds it from a committed event and the recipient's configuration; a
/// ``DeliveryChannel`` turns it into a message. Every field is already resolved (names, addresses, the
/// task as the change left it), so a channel reads nothing else.
package struct OutgoingNotification: Sendable, Equatable {
    /// Who is involved: the recipient, or the person who made the change.
    package struct Person: Sendable, Equatable {
        /// The directory's user id.
        package var id: String
        /// The display name, or the id when the directory has none.
        package var name: String
        /// The address from the directory, when it has one.
        package var email: String?

        package init(id: String, name: String, email: String? = nil) {
            self.id = id
            self.name = name
            self.email = email
        }
    }

    /// Where a webhook delivery is POSTed and the secret its signature is made with.
    package struct Webhook: Sendable, Equatable {
        /// An `http` or `https` URL.
        package var url: String
        /// The HMAC-SHA256 key.
        package var secret: String

        package init(url: String, secret: String) {
            self.url = url
            self.secret = secret
        }
    }

    /// The same for every attempt, before and after a restart; a receiver deduplicates by it (`dlv_…`).
    package var deliveryID: String
    /// The inbox notification it belongs to (`ntf_…`).
    package var notificationID: String
    /// The feed event type (`task_assigned`, `comment_added`, `task_overdue`, …).
    package var eventType: String
    /// The feed event id (`evt_…`).
    package var eventID: String
    /// When the change committed (RFC 3339, UTC).
    package var occurredAt: String
    /// Who is told.
    package var recipient: Person
    /// Who made the change (the built-in `system` user for the server's own events, such as `task_overdue`).
    package var actor: Person
    /// The task as the change left it, as `tasks.get` returns it, when the event concerns a task.
    package var task: JSONValue?
    /// The comment, for `comment_added`.
    package var comment: JSONValue?
    /// The commit's field changes, `{field: {old, new}}`, when it changed fields.
    package var changes: JSONValue?
    /// The notification as `notifications.list` returns it: the `notification` member of a webhook body.
    package var payload: JSONValue
    /// Where to POST, for the webhook channel.
    package var webhook: Webhook?

    package init(
        deliveryID: String, notificationID: String, eventType: String, eventID: String, occurredAt: String,
        recipient: Person, actor: Person, task: JSONValue? = nil, comment: JSONValue? = nil,
        changes: JSONValue? = nil, payload: JSONValue, webhook: Webhook? = nil
    ) {
        self.deliveryID = deliveryID
        self.notificationID = notificationID
        self.eventType = eventType
        self.eventID = eventID
        self.occurredAt = occurredAt
        self.recipient = recipient
        self.actor = actor
        self.task = task
        self.comment = comment
        self.changes = changes
        self.payload = payload
        self.webhook = webhook
    }
}
