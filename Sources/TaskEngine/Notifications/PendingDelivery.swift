/// A notification still to be delivered over one outside channel (email or webhook): derived when its event
/// committed, and removed when the delivery worker records its outcome.
package struct PendingDelivery: Sendable, Equatable {
    /// `dlv_…`: the same before and after a restart; receivers deduplicate by it.
    package var id: String
    /// `email` or `webhook`.
    package var channel: String
    /// The notification it delivers (also when the recipient's channels do not include the inbox).
    package var notification: InboxNotification
}
