import Dispatch
import JSON
import Locking
package import TaskEngine
package import TaskwireLog

/// Every event subscription of the server, fed by the engine's durable commits.
///
/// The engine's ``EventFeed`` hands each commit over once the store reports it durable, in commit order,
/// on the store's writer thread; the hub moves it to a serial queue of its own at once, so encoding and
/// delivery never hold up a sync. There it derives the commit's feed events, encodes each once, and offers
/// them to every subscription, which filters and queues them for its connection (see ``Subscription``).
package final class EventHub: Sendable {
    /// The bounds of the feed and of each subscription.
    package struct Limits: Sendable {
        /// The feed serves the newest this many commits (`--event-retention`); older cursors are 409
        /// `cursor_expired`.
        package var retention: Int
        /// The most events a subscription holds while its `since` replay is sent, and the longest replay.
        package var maxHeldEvents: Int
        /// A live subscription ends with `overflow` when its connection has more than this many bytes
        /// queued and unread by the peer as an event for it comes.
        package var maxUnwrittenBytes: Int
        /// The page size of `events.since` without `limit`, and the largest allowed.
        package var defaultPage = 100
        package var maxPage = 1_000

        /// The default retention: the newest million commits.
        package static let defaultRetention = 1_000_000

        package init(
            retention: Int = Limits.defaultRetention, maxHeldEvents: Int = 10_000, maxUnwrittenBytes: Int = 1 << 20
        ) {
            self.retention = max(1, retention)
            self.maxHeldEvents = max(1, maxHeldEvents)
            self.maxUnwrittenBytes = max(1, maxUnwrittenBytes)
        }
    }

    private struct State {
        var subscriptions: [String: Subscription] = [:]
        /// The newest commit offered to subscriptions.
        var deliveredSeq: UInt64 = 0
        var nextID: UInt64 = 1
    }

    /// The notification carrying one feed event to a subscription.
    package static let eventNotification = "events.event"
    /// The notification that tells a client the server ended its subscription.
    package static let endedNotification = "events.subscription_ended"
    /// Every notification the server pushes on its own; `schema/openrpc.json` lists the same under
    /// `x-notifications`, and a test keeps the two in agreement.
    package static let notificationNames = [eventNotification, endedNotification, InboxPush.notificationName]

    package let engine: Engine
    package let limits: Limits
    /// Where a subscription ended by the server is logged (info: which, why, how much was unread).
    private let logger: Logger?
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "taskwire.events")

    package init(engine: Engine, limits: Limits = Limits(), logger: Logger? = nil) {
        self.engine = engine
        self.limits = limits
        self.logger = logger
        let queue = self.queue
        let (_, after) = engine.feed.listen { [weak self] commits in
            guard let hub = self else { return }
            queue.async { hub.deliver(commits) }
        }
        state.withLock { $0.deliveredSeq = max($0.deliveredSeq, after) }
    }

    /// The number of live subscriptions.
    package var subscriptionCount: Int { state.withLock { $0.subscriptions.count } }

    /// Returns once every commit handed to the hub so far was offered to the subscriptions (tests, bench).
    package func drain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async { continuation.resume() }
        }
    }

    private func deliver(_ commits: [EventFeed.Commit]) {
        state.withLock { state in
            for commit in commits {
                state.deliveredSeq = commit.event.seq
                guard !state.subscriptions.isEmpty else { continue }
                let events = FeedEvent.events(of: commit.event, task: commit.task)
                guard !events.isEmpty else { continue }
                let encoded = events.map { ($0, JSONWriter.bytes($0.json)) }
                var ended: [String] = []
                for (id, subscription) in state.subscriptions where !subscription.offer(encoded) {
                    ended.append(id)
                }
                for id in ended { state.subscriptions[id] = nil }
            }
        }
    }

    /// Adds a held subscription that receives every commit after the returned `seq`.
    func register(
        connectionID: UInt64, filter: EventFilter, caller: Caller, outbound: RequestContext.Outbound,
        start: FeedCursor?
    ) -> (Subscription, liveAfter: UInt64) {
        state.withLock { state in
            let id = "sub_\(state.nextID)"
            state.nextID += 1
            let live = state.deliveredSeq
            let subscription = Subscription(
                id: id, connectionID: connectionID, filter: filter, caller: caller, outbound: outbound,
                limits: limits, logger: logger, start: start ?? .after(commit: live))
            state.subscriptions[id] = subscription
            return (subscription, live)
        }
    }

    /// Ends a subscription of `connectionID`; false when it has none by that id.
    func unsubscribe(_ id: String, connectionID: UInt64) -> Bool {
        state.withLock { state in
            guard let subscription = state.subscriptions[id], subscription.connectionID == connectionID else {
                return false
            }
            subscription.cancel()
            state.subscriptions[id] = nil
            return true
        }
    }

    /// Ends every subscription of a connection (it closed).
    package func connectionClosed(_ connectionID: UInt64) {
        state.withLock { state in
            for (id, subscription) in state.subscriptions where subscription.connectionID == connectionID {
                subscription.cancel()
                state.subscriptions[id] = nil
            }
        }
    }
}
