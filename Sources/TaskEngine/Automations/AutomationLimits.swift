/// The documented limits of automations and published events; exceeding one is a -32602 naming the field.
package enum AutomationLimits {
    /// Characters in an automation's name.
    package static let nameLength = 200
    /// Characters in a trigger value and a published event's value (a conversation tag).
    package static let valueLength = 64
    /// Users in an assignee pool.
    package static let poolSize = 100
    /// Characters in a published event id.
    package static let eventIDLength = 128
    /// How deep automation effects may chain: an event at this depth or deeper fires nothing. Host events
    /// are depth 0; a task an automation creates records the depth of the event that fired it plus one, and a
    /// host that reports an event caused by such a task passes that depth on (`events.publish {depth}`).
    package static let maxDepth = 3
}
