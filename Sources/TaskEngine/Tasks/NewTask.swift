package import JSON

/// The params of `tasks.create`, as the client sent them (the engine validates).
package struct NewTask: Sendable, Equatable {
    package var title: String
    package var description: String?
    package var assignee: UserID?
    package var dueDate: TimeInput?
    package var priority: String?
    package var tags: [String] = []
    /// Host-defined string members such as `conversation_id` and `bot_id`.
    package var context: JSONObject?
    /// A key that makes retries safe: the same key and params return the original task.
    package var idempotencyKey: String?

    package init(title: String) { self.title = title }
}
