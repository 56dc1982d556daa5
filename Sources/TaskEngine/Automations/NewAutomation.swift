package import JSON

/// The params of `automations.create` (and, every member optional, `automations.update`), as the client sent
/// them; the engine validates `trigger` and `action`.
package struct NewAutomation: Sendable, Equatable {
    package var name: String?
    /// `{type: "conversation_tag", value}`.
    package var trigger: JSONObject?
    /// `{type: "create_task", template, priority?, auto_assign?, assignee_pool?}`.
    package var action: JSONObject?
    package var enabled: Bool?

    package init() {}
}
