package import JSON

/// What `templates.delete` produced.
package struct DeletedTemplate: Sendable {
    package var templateID: TemplateID

    /// `{template_id, deleted: true}`.
    package var json: JSONValue { ["template_id": .string(templateID.text), "deleted": true] }
}
