package import JSON

/// The params of `tasks.update`. Each field is `nil` when absent; for clearable fields `.some(nil)` means
/// "clear it" (the client sent `null`).
package struct TaskPatch: Sendable, Equatable {
    package var title: String?
    package var description: String??
    package var status: String?
    package var priority: String?
    package var assignee: UserID??
    package var dueDate: TimeInput??
    package var tags: [String]?
    package var context: JSONObject?
    package var progress: Int?
    package var timeSpentMinutes: Int?
    // Templates: `checklist` replaces the whole list (`null` empties it); `check` ticks items by index,
    // after any replacement.
    package var checklist: [TaskItem.ChecklistItem]?
    package var check: [TaskItem.ChecklistCheck]?
    /// The wire names in the order the client sent them, so `updated_fields` follows that order.
    package var requestOrder: [String] = []

    package init() {}

    /// Whether no field is given.
    package var isEmpty: Bool {
        title == nil && description == nil && status == nil && priority == nil && assignee == nil
            && dueDate == nil && tags == nil && context == nil && progress == nil && timeSpentMinutes == nil
            && checklist == nil && check == nil
    }
}
