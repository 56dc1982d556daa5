/// The params of `templates.create`, as the client sent them (the engine validates).
package struct NewTemplate: Sendable, Equatable {
    package var name: String
    package var descriptionTemplate: String?
    package var titleTemplate: String?
    package var defaultPriority: String?
    package var defaultTags: [String] = []
    package var defaultAssignee: String?
    package var checklist: [String] = []
    /// The id the client chose (`tpl_urgent`), or `nil` for one the engine issues.
    package var templateID: String?

    package init(name: String) { self.name = name }
}
