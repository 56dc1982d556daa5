import JSON
import JSONRPC
import TaskEngine
import TaskStore

/// `events.subscribe`: pushes matching feed events to this connection as `events.event` notifications.
enum SubscribeEvents {
    /// Read-only (it changes no stored state); not idempotent (every call adds a subscription); counts
    /// against the `read` limit.
    static func declaration(hub: EventHub) -> MethodDeclaration {
        MethodDeclaration("events.subscribe", rateLimit: "read", readOnly: true, destructive: false, idempotent: false)
        {
            try await handle($0, $1, hub: hub)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, hub: EventHub) async throws -> Reply {
        var reader = try ParamReader(params)
        let filter = try EventFilter(reading: &reader)
        let since = try reader.cursor("since")
        try reader.finish()
        guard let outbound = context.outbound else {
            throw ResponseError.invalidRequest("This connection cannot receive notifications.")
        }
        let (subscription, liveAfter) = hub.register(
            connectionID: context.connectionID, filter: filter, caller: context.caller, outbound: outbound,
            start: since)
        var replay: [FeedEvent] = []
        var overflowed = false
        do {
            if let since {
                let page = try await hub.engine.feedEvents(
                    after: since, limit: hub.limits.maxHeldEvents, types: filter.types,
                    retention: hub.limits.retention, through: liveAfter, for: context.caller)
                replay = page.events
                overflowed = page.hasMore
            } else {
                _ = try await hub.engine.feedEvents(
                    after: .after(commit: liveAfter), limit: 0, retention: hub.limits.retention, for: context.caller)
            }
        } catch {
            _ = hub.unsubscribe(subscription.id, connectionID: context.connectionID)
            throw error
        }
        let result: JSONValue = [
            "subscription_id": .string(subscription.id),
            "cursor": .string((since ?? .after(commit: liveAfter)).description),
        ]
        // The reply waits on this ticket, so the session queues the reply before the ticket's callback
        // returns: only then do the replay and the held events follow it, in order, on the same connection.
        let (events, cut) = (replay, overflowed)
        let release: @Sendable () -> Void = { subscription.release(replaying: events, overflowed: cut) }
        let ticket = CommitTicket(
            wait: { release() },
            notify: { callback in
                callback(.success(()))
                release()
            })
        return Reply(result, after: ticket)
    }
}
