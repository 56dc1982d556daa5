package import JSON

/// The params of `events.publish`: a host event that may fire automations.
package struct PublishedEvent: Sendable, Equatable {
    /// Only `conversation_tag` for now.
    package var type: String
    /// The tag.
    package var value: String
    /// `{conversation_id, bot_id, ...}`: string members, given to the created tasks as their `context` and to
    /// their templates as variables (with `tag`).
    package var context: JSONObject = [:]
    /// The host's id for the event; the same id never fires an automation twice. Issued when absent.
    package var eventID: String?
    /// How deep in a chain of automation effects the event is (0 for events of the outside world).
    package var depth: Int = 0

    package init(type: String, value: String) {
        self.type = type
        self.value = value
    }
}
