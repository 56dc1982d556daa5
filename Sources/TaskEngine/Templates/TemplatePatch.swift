/// The params of `templates.update`. Each field is `nil` when absent; for clearable fields `.some(nil)`
/// means "clear it" (the client sent `null`; for `default_tags` and `checklist` that empties them).
package struct TemplatePatch: Sendable, Equatable {
    package var name: String?
    package var descriptionTemplate: String??
    package var titleTemplate: String??
    package var defaultPriority: String??
    package var defaultTags: [String]?
    package var defaultAssignee: String??
    package var checklist: [String]?

    package init() {}

    /// Whether no field is given.
    package var isEmpty: Bool {
        name == nil && descriptionTemplate == nil && titleTemplate == nil && defaultPriority == nil
            && defaultTags == nil && defaultAssignee == nil && checklist == nil
    }
}
