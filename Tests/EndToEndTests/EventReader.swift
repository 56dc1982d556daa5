import JSON
import TestSupport
import Testing

/// The events of one subscription in arrival order, read around the replies of the calls a test makes: an
/// event may reach the subscriber before the reply to the write that made it (docs/events.md), so a reply
/// is awaited by its id and the events that come first are kept for ``next()``.
final class EventReader {
    let server: ServerProcess
    /// The `params` of the `events.event` notifications that came before a reply.
    private var early: [JSONValue] = []

    init(_ server: ServerProcess) { self.server = server }

    /// The whole reply to `method` (result or error), keeping any event that arrives before it.
    func reply(_ method: String, params: JSONValue) async throws -> JSONValue {
        let id = server.client.sendRequest(method, params: params)
        while true {
            let message = try await server.client.next(timeout: .seconds(20))
            if message["id"] == .int(id) { return message }
            if message["method"] == "events.event", let pushed = message["params"] { early.append(pushed) }
        }
    }

    /// The result of `method`, keeping any event that arrives before its reply.
    func call(_ method: String, params: JSONValue) async throws -> JSONValue {
        let message = try await reply(method, params: params)
        return try #require(message["result"], "\(message)")
    }

    /// The `params` of the next `events.event`: its `event`, `cursor` and `subscription_id`.
    func nextPushed() async throws -> JSONValue {
        if !early.isEmpty { return early.removeFirst() }
        while true {
            let message = try await server.client.next(timeout: .seconds(20))
            if message["method"] == "events.event", let pushed = message["params"] { return pushed }
        }
    }

    /// The next event: one that came before a reply, else the next one pushed.
    func next() async throws -> JSONValue {
        try #require(try await nextPushed()["event"])
    }
}
