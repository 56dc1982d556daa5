import JSON
import JSONRPC

/// `events.unsubscribe`: ends one of this connection's subscriptions.
enum UnsubscribeEvents {
    /// Read-only (it changes only the connection's subscriptions); idempotent (a second call answers
    /// `unsubscribed: false`); counts against the `read` limit.
    static func declaration(hub: EventHub) -> MethodDeclaration {
        MethodDeclaration("events.unsubscribe", rateLimit: "read", readOnly: true, destructive: false, idempotent: true)
        {
            try await handle($0, $1, hub: hub)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, hub: EventHub) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.required("subscription_id", as: String.self)
        try reader.finish()
        let ended = hub.unsubscribe(id, connectionID: context.connectionID)
        return Reply(["subscription_id": .string(id), "unsubscribed": .bool(ended)])
    }
}
