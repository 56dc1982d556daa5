package import JSON

/// What `templates.update` produced.
package struct UpdatedTemplate: Sendable {
    package var template: TaskTemplate
    /// The wire names of the fields that changed, in the order the client sent them.
    package var updatedFields: [String]

    /// `{template_id, updated, updated_fields, updated_at, template}`.
    package var json: JSONValue {
        [
            "template_id": .string(template.id.text),
            "updated": .bool(!updatedFields.isEmpty),
            "updated_fields": .array(updatedFields.map(JSONValue.string)),
            "updated_at": .string(template.updatedAt.rfc3339),
            "template": template.json,
        ]
    }
}
