import JSON
import Locking
package import TaskEngine

/// Pushes each new inbox notification, as it commits, to every connection logged in as its recipient.
///
/// Connections register when they open (with their ``ConnectionIdentity``, read at push time, so a socket
/// connection receives its user's notifications from its `auth.login` on) and leave when they close. The
/// engine's feed hands over durable commits in order; one task asks the engine which inbox notifications
/// those commits brought to the users connected at that moment and sends each as a
/// `notifications.notification` JSON-RPC notification, `{notification, unread_count}`.
package final class InboxPush: Sendable {
    /// The JSON-RPC notification that carries a new inbox notification.
    package static let notificationName = "notifications.notification"

    private struct Listener: Sendable {
        var identity: ConnectionIdentity?
        var outbound: RequestContext.Outbound

        /// Who the connection is logged in as now: `system` without a gate, `nil` before a login.
        var user: UserID? {
            guard let identity else { return User.systemID }
            return identity.binding?.user
        }
    }

    private let engine: Engine
    /// What the push task and the connection hooks share.
    private final class Shared: Sendable {
        let listeners = Mutex<[UInt64: Listener]>([:])
        let pushed = Mutex<UInt64>(0)
    }

    private let shared = Shared()
    private let commits: AsyncStream<ClosedRange<UInt64>>.Continuation
    private let feedToken: Int
    private let worker: Task<Void, Never>

    /// Starts pushing the notifications of every commit published from now on.
    package init(engine: Engine) {
        self.engine = engine
        let (stream, continuation) = AsyncStream<ClosedRange<UInt64>>.makeStream()
        commits = continuation
        let (token, _) = engine.feed.listen { published in
            guard let first = published.first?.event.seq, let last = published.last?.event.seq else { return }
            continuation.yield(first...last)
        }
        feedToken = token
        let shared = self.shared
        worker = Task {
            for await seqs in stream {
                let targets = shared.listeners.withLock { $0 }
                let users = Set(targets.values.compactMap(\.user))
                if !users.isEmpty {
                    for new in await engine.newNotifications(for: users, seqs: seqs) {
                        let body = Self.frame(new)
                        for listener in targets.values where listener.user == new.recipient {
                            _ = listener.outbound.send(body)
                        }
                    }
                }
                shared.pushed.withLock { $0 = seqs.upperBound }
            }
        }
    }

    deinit {
        engine.feed.stopListening(feedToken)
        commits.finish()
    }

    /// The newest commit whose notifications were pushed (tests wait on it).
    package var pushedSeq: UInt64 { shared.pushed.withLock { $0 } }

    /// Starts pushing to a connection; a `nil` identity stands for a connection without a gate (`system`).
    package func connectionOpened(_ id: UInt64, identity: ConnectionIdentity?, outbound: RequestContext.Outbound) {
        shared.listeners.withLock { $0[id] = Listener(identity: identity, outbound: outbound) }
    }

    /// Stops pushing to a connection (it closed).
    package func connectionClosed(_ id: UInt64) {
        _ = shared.listeners.withLock { $0.removeValue(forKey: id) }
    }

    /// Stops the push task.
    package func stop() {
        commits.finish()
        worker.cancel()
    }

    private static func frame(_ new: NewNotification) -> [UInt8] {
        let message: JSONValue = [
            "jsonrpc": "2.0",
            "method": .string(notificationName),
            "params": ["notification": new.notification, "unread_count": .int(new.unreadCount)],
        ]
        return JSONWriter.bytes(message)
    }
}
