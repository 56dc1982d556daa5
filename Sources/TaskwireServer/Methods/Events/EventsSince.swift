import JSON
import JSONRPC
import TaskEngine

/// `events.since`: a page of the event feed after a cursor, for catching up.
enum EventsSince {
    /// Read-only and idempotent; counts against the `read` limit.
    static func declaration(hub: EventHub) -> MethodDeclaration {
        MethodDeclaration("events.since", rateLimit: "read", readOnly: true, destructive: false, idempotent: true) {
            try await handle($0, $1, hub: hub)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, hub: EventHub) async throws -> Reply {
        var reader = try ParamReader(params)
        let cursor = try reader.cursor("cursor")
        let limit = try reader.optional("limit", as: Int.self) ?? hub.limits.defaultPage
        guard (1...hub.limits.maxPage).contains(limit) else {
            throw ResponseError.invalidParams("Field limit must be from 1 to \(hub.limits.maxPage).", field: "limit")
        }
        let types = try EventFilter.types(reading: &reader)
        try reader.finish()
        let start = cursor ?? hub.engine.oldestCursor(retention: hub.limits.retention)
        let page = try await hub.engine.feedEvents(
            after: start, limit: limit, types: types, retention: hub.limits.retention, for: context.caller)
        return Reply([
            "events": .array(page.events.map(\.json)),
            "next_cursor": .string(page.nextCursor.description),
            "has_more": .bool(page.hasMore),
        ])
    }
}
