package import Delivery
import Dispatch
import JSON
package import TaskEngine
package import TaskwireLog

/// Schedules the worker's next look at the pending deliveries; injectable so tests drive retries by hand.
package protocol DeliveryWakeups: Sendable {
    /// Runs `action` once, about `seconds` from now.
    func wake(after seconds: Double, _ action: @escaping @Sendable () -> Void)
}

/// Wake-ups on a Dispatch timer: what the server uses.
package struct DispatchWakeups: DeliveryWakeups {
    package init() {}

    package func wake(after seconds: Double, _ action: @escaping @Sendable () -> Void) {
        DispatchQueue.global().asyncAfter(deadline: .now() + max(0, seconds), execute: action)
    }
}

/// Delivers pending notifications over the outside channels (email, webhook), off the engine.
///
/// The engine derives a pending delivery for each notification and outside channel when its event commits
/// (``Engine/pendingDeliveries``); the worker takes them oldest first once their commit is durable
/// (``EventFeed/publishedSeq``), builds an ``OutgoingNotification``, hands it to the channel of that name
/// and records the outcome through the engine: `delivered`, or `failed` once the channel gives up or
/// ``RetrySchedule`` runs out of attempts. Between failed attempts it waits as the schedule says, measured
/// on `clock`, woken by `wakeups` once for the earliest retry due. A write never waits for it and never
/// fails because of it.
///
/// Every delivery not recorded is attempted again after a restart, so delivery is at least once: a kill
/// between a channel's success and the record is the only way a receiver sees a delivery id twice.
/// Attempt counts live in memory; after a restart a delivery starts its schedule again. A delivery whose
/// channel the worker was not given stays pending until a server with that channel runs.
package actor DeliveryWorker {
    private let engine: Engine
    private let channels: [String: any DeliveryChannel]
    private let schedule: RetrySchedule
    private let clock: any TimeSource
    private let wakeups: any DeliveryWakeups
    private let logger: Logger?
    /// Failed attempts so far, by delivery id.
    private var attempts: [String: Int] = [:]
    /// The earliest time of the next attempt, by delivery id, after a failure.
    private var notBefore: [String: Timestamp] = [:]
    /// When the wake-up asked for last is due; `nil` once it fired.
    private var wakeAt: Timestamp?
    private var running = false
    private var again = false
    private var stopped = false
    private var feedToken: Int?

    /// A worker over `channels` (by their ``DeliveryChannel/name``); nothing runs until ``start()``.
    package init(
        engine: Engine, channels: [any DeliveryChannel], schedule: RetrySchedule = .standard,
        clock: any TimeSource = SystemTimeSource(), wakeups: any DeliveryWakeups = DispatchWakeups(),
        logger: Logger? = nil
    ) {
        self.engine = engine
        var byName: [String: any DeliveryChannel] = [:]
        for channel in channels { byName[channel.name] = channel }
        self.channels = byName
        self.schedule = schedule
        self.clock = clock
        self.wakeups = wakeups
        self.logger = logger
    }

    /// Looks at the pending deliveries now (those left from before a restart included) and after every
    /// durable commit from now on.
    package func start() {
        guard feedToken == nil else { return }
        let (token, _) = engine.feed.listen { [weak self] _ in
            guard let self else { return }
            Task { await self.pass() }
        }
        feedToken = token
        Task { await pass() }
    }

    /// Stops looking after commits and at retries that fall due; an attempt under way still ends and is
    /// recorded.
    package func stop() {
        if let feedToken { engine.feed.stopListening(feedToken) }
        feedToken = nil
        stopped = true
    }

    /// Attempts every pending delivery that is due and has a channel, and returns once each attempt's
    /// outcome is recorded. A pass asked for while one runs runs again right after it.
    package func pass() async {
        guard !channels.isEmpty, !stopped else { return }
        guard !running else {
            again = true
            return
        }
        running = true
        repeat {
            again = false
            await attemptDue()
        } while again && !stopped
        running = false
        scheduleWake()
    }

    /// Asks for one wake-up when the earliest retry falls due, unless one is asked for already by then. A
    /// wake-up that comes early (the wall clock stepped) finds nothing due and asks again for the rest.
    private func scheduleWake() {
        guard !stopped, let earliest = notBefore.values.min() else { return }
        let now = clock.now()
        if let wakeAt, wakeAt > now, wakeAt <= earliest { return }
        wakeAt = earliest
        let seconds = Double(max(0, earliest.microseconds - now.microseconds)) / 1_000_000
        wakeups.wake(after: seconds) { [weak self] in
            guard let self else { return }
            Task { await self.woken() }
        }
    }

    /// What a wake-up runs: it is no longer awaited, and a pass follows.
    func woken() async {
        wakeAt = nil
        await pass()
    }

    private func attemptDue() async {
        let now = clock.now()
        // Only what durable commits brought: a notification of a change a crash could still undo is not sent.
        let durable = engine.feed.publishedSeq
        let due = await engine.pendingDeliveries.filter { delivery in
            delivery.notification.seq <= durable && channels[delivery.channel] != nil
                && (notBefore[delivery.id].map { $0 <= now } ?? true)
        }
        for delivery in due {
            guard let source = await engine.deliverySource(delivery.id), let channel = channels[delivery.channel]
            else { continue }
            let outcome = await channel.deliver(Self.outgoing(source))
            let tries = (attempts[delivery.id] ?? 0) + 1
            switch outcome {
            case .delivered:
                await record(delivery.id, delivered: true, attempts: tries, reason: nil)
            case .giveUp(let reason):
                await record(delivery.id, delivered: false, attempts: tries, reason: reason)
            case .retry(let reason):
                guard let delay = schedule.delay(afterFailedAttempts: tries) else {
                    await record(delivery.id, delivered: false, attempts: tries, reason: reason)
                    continue
                }
                attempts[delivery.id] = tries
                notBefore[delivery.id] = Timestamp(microseconds: clock.now().microseconds + Int64(delay * 1_000_000))
                logger?.info(
                    "delivery failed; trying again later",
                    ["delivery": delivery.id, "attempt": String(tries), "reason": reason, "delay_s": String(delay)])
            }
        }
    }

    private func record(_ id: String, delivered: Bool, attempts tries: Int, reason: String?) async {
        attempts[id] = nil
        notBefore[id] = nil
        // Not waiting for the record to be durable: a record lost with the machine only repeats the delivery
        // after the restart, which receivers deduplicate by its id.
        do {
            _ = try await engine.recordDelivery(id, delivered: delivered, attempts: tries, reason: reason)
        } catch {
            logger?.error("cannot record a delivery", ["delivery": id, "error": String(describing: error)])
        }
        if !delivered {
            logger?.warning("delivery given up", ["delivery": id, "attempts": String(tries), "reason": reason ?? ""])
        }
    }

    /// The outgoing notification of a delivery, every field resolved.
    static func outgoing(_ source: DeliverySource) -> OutgoingNotification {
        let notification = source.delivery.notification
        return OutgoingNotification(
            deliveryID: source.delivery.id, notificationID: notification.id, eventType: notification.type,
            eventID: notification.eventID, occurredAt: notification.createdAt.rfc3339,
            recipient: .init(id: notification.recipient.text, name: source.recipientName, email: source.recipientEmail),
            actor: .init(id: notification.actor.text, name: source.actorName, email: source.actorEmail),
            task: source.task, comment: source.comment, changes: source.changes, payload: source.payload,
            webhook: source.webhook.map { .init(url: $0.url, secret: $0.secret) })
    }
}
