/// One outside channel a notification can be sent over: email (a sendmail command or the outbox folder) or
/// a webhook.
///
/// The delivery worker calls ``deliver(_:)`` off the engine, at most once at a time per delivery, and
/// decides from the outcome whether to record the delivery as done, try again later (with backoff) or give
/// up. A channel never retries by itself and never throws.
package protocol DeliveryChannel: Sendable {
    /// The channel's name in a configuration's `channels` (`email`, `webhook`).
    var name: String { get }

    /// Sends one notification once.
    func deliver(_ notification: OutgoingNotification) async -> DeliveryOutcome
}

/// What one attempt at a delivery came to.
package enum DeliveryOutcome: Sendable, Equatable {
    /// The message was handed over (sendmail exited 0, the `.eml` file is durable, the webhook answered 2xx).
    case delivered
    /// A failure that may pass (a timeout, a refused connection, a 5xx or 429, sendmail exiting with a
    /// temporary failure): try again after the backoff.
    case retry(reason: String)
    /// A failure that will not pass (no address for the recipient, a 4xx other than 408 and 429, a URL that
    /// cannot be used): record it and stop.
    case giveUp(reason: String)
}
