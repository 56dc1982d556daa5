package import JSON

/// One page of `templates.list`, in creation order.
package struct TemplatePage: Sendable {
    package var templates: [TaskTemplate]
    /// How many templates exist in all pages.
    package var total: Int
    package var page: Int
    package var limit: Int

    /// `{templates: [template…], total, page, limit}`.
    package var json: JSONValue {
        [
            "templates": .array(templates.map(\.json)),
            "total": .int(total),
            "page": .int(page),
            "limit": .int(limit),
        ]
    }
}
