package import JSON

/// The params of `tasks.create_from_template`, as the client sent them (the engine validates).
///
/// `assignee`, `due_date`, `priority`, `tags` and `context` override the template's defaults when given.
package struct TaskFromTemplate: Sendable, Equatable {
    package var templateID: TemplateID
    /// `{name: value}` for the placeholders; values are strings or numbers.
    package var variables: JSONObject = [:]
    package var assignee: UserID?
    package var dueDate: TimeInput?
    package var priority: String?
    package var tags: [String]?
    package var context: JSONObject?

    package init(templateID: TemplateID) { self.templateID = templateID }
}
