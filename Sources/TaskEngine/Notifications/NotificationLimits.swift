/// The bounds of the notifications domain.
package enum NotificationLimits {
    /// The most notifications an inbox keeps; past it, the oldest read one is dropped first, then the
    /// oldest unread one.
    package static let inboxSize = 1_000
    /// The most ids one `notifications.mark_read` takes.
    package static let markReadIDs = 1_000
    /// The longest `remind_before_minutes`: 30 days.
    package static let remindBeforeMinutes = 43_200
    /// The longest webhook URL, in bytes.
    package static let webhookURLBytes = 2_048
    /// The longest webhook secret, in bytes.
    package static let webhookSecretBytes = 256
}
