package import Delivery

/// A channel the server cannot send over, standing in so that its deliveries end instead of waiting
/// forever: every attempt is given up with ``reason``.
///
/// The server uses it for `email` when it runs without a data directory (`--in-memory`) and without
/// `--sendmail`: there is no outbox to write into, and nothing pending would outlive the process anyway.
package struct UnavailableChannel: DeliveryChannel {
    /// The channel it stands in for (`email`).
    package let name: String
    /// Why nothing can be sent, recorded with every delivery it gives up.
    package let reason: String

    /// A channel named `name` that gives up every delivery with `reason`.
    package init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }

    /// Gives up at once.
    package func deliver(_ notification: OutgoingNotification) async -> DeliveryOutcome {
        .giveUp(reason: reason)
    }
}
