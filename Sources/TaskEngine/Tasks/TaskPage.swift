package import JSON

/// One page of `tasks.list`.
package struct TaskPage: Sendable {
    package var tasks: [TaskItem]
    /// How many tasks match the filters in all pages.
    package var total: Int
    package var page: Int
    package var limit: Int

    /// `{tasks: [summary…], total, page, limit}`.
    package var json: JSONValue {
        [
            "tasks": .array(tasks.map(\.summaryJSON)),
            "total": .int(total),
            "page": .int(page),
            "limit": .int(limit),
        ]
    }
}
