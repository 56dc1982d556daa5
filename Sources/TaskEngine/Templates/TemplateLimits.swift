/// The documented limits on template fields; exceeding one is a -32602 naming the field.
///
/// Texts that become task fields share the task limits (``TaskLimits``): a title template is at most as
/// long as a title, a description template as a description, default tags follow the tag rules.
package enum TemplateLimits {
    /// Characters in a template's name.
    package static let nameLength = 200
    /// Items in a checklist (of a template or a task).
    package static let checklistCount = 50
    /// Characters in one checklist text.
    package static let checklistTextLength = 500
    /// Variables in one `tasks.create_from_template` call.
    package static let variableCount = 64
    /// Characters in a variable's name.
    package static let variableNameLength = 64
    /// Characters in a variable's value.
    package static let variableValueLength = 1024
}
