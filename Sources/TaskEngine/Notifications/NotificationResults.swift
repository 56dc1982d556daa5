package import JSON

/// A configuration as `notifications.configure` and `notifications.get_config` return it.
package struct NotificationConfigView: Sendable, Equatable {
    /// The user it applies to; `nil` for the server-wide default.
    package var user: UserID?
    package var config: NotificationConfig
    /// `own` for a user's own configuration, `default` for the default (inherited, or asked for).
    package var source: String
    /// The webhook secret the engine generated in this call; shown this once.
    package var generatedSecret: String?

    /// `{user_id, default, source, config, webhook_secret?}`.
    package var json: JSONValue {
        var object: JSONObject = [
            "user_id": user?.json ?? .null,
            "default": .bool(user == nil),
            "source": .string(source),
            "config": config.json,
        ]
        object.append("webhook_secret", ifPresent: generatedSecret.map(JSONValue.string))
        return .object(object)
    }
}

/// One page of `notifications.list`, newest first.
package struct NotificationPage: Sendable {
    /// Each notification's list form.
    package var notifications: [JSONValue]
    /// How many notifications the listing selects in all pages.
    package var total: Int
    /// How many of the user's notifications are unread.
    package var unreadCount: Int
    package var page: Int
    package var limit: Int

    /// `{notifications, unread_count, total, page, limit}`.
    package var json: JSONValue {
        [
            "notifications": .array(notifications),
            "unread_count": .int(unreadCount),
            "total": .int(total),
            "page": .int(page),
            "limit": .int(limit),
        ]
    }
}

/// What `notifications.mark_read` changed.
package struct MarkedRead: Sendable, Equatable {
    /// How many notifications went from unread to read.
    package var updated: Int
    /// How many remain unread.
    package var unreadCount: Int
    /// Given ids that are not in the caller's inbox (unknown, dropped, or someone else's).
    package var notFound: [String]

    /// `{updated, unread_count, not_found}`.
    package var json: JSONValue {
        [
            "updated": .int(updated), "unread_count": .int(unreadCount),
            "not_found": .array(notFound.map(JSONValue.string)),
        ]
    }
}

/// Everything an outside channel needs about one pending delivery, resolved by the engine.
package struct DeliverySource: Sendable {
    package var delivery: PendingDelivery
    /// The recipient's name and address in the directory (the id when it has no name).
    package var recipientName: String
    package var recipientEmail: String?
    package var actorName: String
    package var actorEmail: String?
    /// The task as the commit left it, as `tasks.get` shows it.
    package var task: JSONValue?
    /// The comment, for `comment_added`.
    package var comment: JSONValue?
    /// The commit's field changes, when it changed any.
    package var changes: JSONValue?
    /// The notification as `notifications.list` shows it.
    package var payload: JSONValue
    /// The recipient's webhook now, for the webhook channel.
    package var webhook: NotificationConfig.Webhook?
}

/// A new inbox notification and its recipient's unread count, for the push to their connections.
package struct NewNotification: Sendable {
    package var recipient: UserID
    package var notification: JSONValue
    package var unreadCount: Int
}
