import JSONRPC
import TaskEngine

/// The `events.*` methods of the event feed (subscribe, unsubscribe, since).
package enum EventsMethods {
    /// Every `events.*` method of the feed, on `hub`.
    package static func declarations(hub: EventHub) -> [MethodDeclaration] {
        [
            SubscribeEvents.declaration(hub: hub),
            UnsubscribeEvents.declaration(hub: hub),
            EventsSince.declaration(hub: hub),
        ]
    }
}

extension ParamReader {
    /// An optional feed cursor (`evt_…`); malformed text is -32602 naming the field.
    mutating func cursor(_ key: String) throws(ResponseError) -> FeedCursor? {
        guard let text = try optional(key, as: String.self) else { return nil }
        guard let cursor = FeedCursor(text) else {
            throw .invalidParams(
                "Field \(key) is not an event cursor (evt_ followed by 20 hexadecimal digits).", field: key)
        }
        return cursor
    }
}
