/// What `notifications.configure` asks to change; a member left `nil` keeps its current value.
package struct NotificationSettings: Sendable, Equatable {
    /// What a nullable field asks: keep it as it is, clear it, or set it.
    package enum Update<Value: Sendable & Equatable>: Sendable, Equatable {
        case keep
        case clear
        case set(Value)
    }

    /// A webhook as the caller gives it; without a secret the engine generates one.
    package struct WebhookInput: Sendable, Equatable {
        package var url: String
        package var secret: String?

        package init(url: String, secret: String? = nil) {
            self.url = url
            self.secret = secret
        }
    }

    package var events: [String]?
    package var channels: [String]?
    package var recipients: [String]?
    package var remindBeforeMinutes: Update<Int> = .keep
    package var webhook: Update<WebhookInput> = .keep

    package init() {}
}

/// Whose notification configuration a call concerns.
package enum NotificationTarget: Sendable, Equatable {
    /// The caller's own.
    case caller
    /// A named user's (admins, or the caller naming themselves).
    case user(UserID)
    /// The server-wide default (admins).
    case serverDefault
}
