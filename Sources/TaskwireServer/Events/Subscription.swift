import JSON
import Locking
import TaskEngine
import TaskwireLog

/// One `events.subscribe` of one connection: what it wants, where its notifications go, and how far it got.
///
/// A subscription starts held: live events it matches wait in its queue while the handler replays `since`
/// and answers; ``release(replaying:)`` (run once the reply is queued) sends the replay, then the held
/// events, and goes live. Live events go straight to the connection's outbound queue. The queue is bounded
/// twice: at most ``EventHub/Limits/maxHeldEvents`` events wait while held, and a live event finds at most
/// ``EventHub/Limits/maxUnwrittenBytes`` bytes not yet read by the peer; past either bound the subscription
/// ends with `events.subscription_ended {reason: "overflow", resume_cursor}`, so a slow reader costs its
/// writers nothing and misses nothing it cannot page back with `events.since`.
final class Subscription: Sendable {
    private enum Phase {
        case held([(FeedEvent, [UInt8])])
        case live
        case ended
    }

    private struct State {
        var phase: Phase = .held([])
        /// Every feed event up to here was sent or skipped: the cursor to resume from.
        var delivered: FeedCursor
        /// The newest cursor offered while held.
        var offered: FeedCursor
    }

    let id: String
    let connectionID: UInt64
    let filter: EventFilter
    let caller: Caller
    private let outbound: RequestContext.Outbound
    private let limits: EventHub.Limits
    private let logger: Logger?
    private let state: Mutex<State>
    /// Where the subscription starts (`since`, or the end of the feed when subscribing): it sends only
    /// events after it, also ones the hub still had queued when the subscription was registered.
    private let start: FeedCursor

    init(
        id: String, connectionID: UInt64, filter: EventFilter, caller: Caller, outbound: RequestContext.Outbound,
        limits: EventHub.Limits, logger: Logger?, start: FeedCursor
    ) {
        self.id = id
        self.connectionID = connectionID
        self.filter = filter
        self.caller = caller
        self.outbound = outbound
        self.limits = limits
        self.logger = logger
        self.start = start
        self.state = Mutex(State(delivered: start, offered: start))
    }

    /// Whether the caller may see the event: members read every task; internal events never reach here.
    private func mayRead(_ event: FeedEvent) -> Bool {
        guard let task = event.task else { return true }
        let relation: AccessPolicy.Relation =
            task.createdBy == caller.user ? .creator : task.assignee == caller.user ? .assignee : .unrelated
        return AccessPolicy.allows(caller.role, .read, relation)
    }

    /// Offers live events (each with its encoded JSON); returns false once the subscription has ended.
    func offer(_ events: [(FeedEvent, [UInt8])]) -> Bool {
        state.withLock { state in
            for (event, bytes) in events where event.cursor > start {
                switch state.phase {
                case .ended:
                    return false
                case .held(var queue):
                    state.offered = event.cursor
                    guard filter.matches(event), mayRead(event) else { continue }
                    queue.append((event, bytes))
                    if queue.count > limits.maxHeldEvents {
                        end(&state)
                        return false
                    }
                    state.phase = .held(queue)
                case .live:
                    if filter.matches(event), mayRead(event) {
                        guard outbound.unwrittenBytes() <= limits.maxUnwrittenBytes else {
                            end(&state)
                            return false
                        }
                        guard outbound.send(notification(event, bytes)) else {
                            state.phase = .ended
                            return false
                        }
                    }
                    state.delivered = event.cursor
                }
            }
            if case .ended = state.phase { return false }
            return true
        }
    }

    /// Sends the replayed events, then the held ones, and goes live. Later calls do nothing.
    ///
    /// - Parameter overflowed: the replay did not fit the queue: end at once, resuming from the start.
    func release(replaying replay: [FeedEvent], overflowed: Bool) {
        state.withLock { state in
            guard case .held(let queue) = state.phase else { return }
            if overflowed {
                end(&state)
                return
            }
            for event in replay where filter.matches(event) && mayRead(event) {
                _ = outbound.send(notification(event, JSONWriter.bytes(event.json)))
                state.delivered = event.cursor
            }
            for (event, bytes) in queue {
                _ = outbound.send(notification(event, bytes))
            }
            state.delivered = max(state.delivered, state.offered)
            state.phase = .live
        }
    }

    /// Ends the subscription without a notification (unsubscribe, closed connection).
    func cancel() {
        state.withLock { $0.phase = .ended }
    }

    private func end(_ state: inout State) {
        state.phase = .ended
        let params: JSONValue = [
            "subscription_id": .string(id), "reason": "overflow", "resume_cursor": .string(state.delivered.description),
        ]
        _ = outbound.send(
            JSONWriter.bytes(["jsonrpc": "2.0", "method": .string(EventHub.endedNotification), "params": params]))
        logger?.info(
            "subscription ended: overflow",
            [
                "subscription": id, "conn": String(connectionID), "unread_bytes": String(outbound.unwrittenBytes()),
                "resume_cursor": state.delivered.description,
            ])
    }

    /// `{"jsonrpc":"2.0","method":"events.event","params":{subscription_id, cursor, event}}`, with the
    /// event's JSON encoded once for every subscription.
    private func notification(_ event: FeedEvent, _ bytes: [UInt8]) -> [UInt8] {
        var body = Array(#"{"jsonrpc":"2.0","method":"events.event","params":{"subscription_id":"#.utf8)
        body += JSONWriter.bytes(.string(id))
        body += Array(#","cursor":""#.utf8)
        body += Array(event.id.utf8)
        body += Array(#"","event":"#.utf8)
        body += bytes
        body += Array("}}".utf8)
        return body
    }
}
