package import JSON

/// A reusable task template: the defaults and texts that `tasks.create_from_template` fills in.
///
/// `title_template`, `description_template` and every checklist text may hold `{{name}}` placeholders
/// (see ``Placeholders``). Without a `title_template`, a task made from the template is titled `name`.
package struct TaskTemplate: Sendable, Equatable {
    package var id: TemplateID
    package var name: String
    package var descriptionTemplate: String?
    package var titleTemplate: String?
    package var defaultPriority: TaskPriority?
    package var defaultTags: [String]
    package var defaultAssignee: UserID?
    /// The checklist texts a task made from the template starts with, none done.
    package var checklist: [String]
    package var createdAt: Timestamp
    package var createdBy: UserID
    package var updatedAt: Timestamp

    package init(id: TemplateID, name: String, createdAt: Timestamp, createdBy: UserID) {
        self.id = id
        self.name = name
        self.descriptionTemplate = nil
        self.titleTemplate = nil
        self.defaultPriority = nil
        self.defaultTags = []
        self.defaultAssignee = nil
        self.checklist = []
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = createdAt
    }

    /// The placeholder names the template's texts use, each once, in order of first use.
    package var variables: [String] {
        var names: [String] = []
        for text in [titleTemplate, descriptionTemplate].compactMap({ $0 }) + checklist {
            for name in Placeholders.names(in: text) where !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The fields that ``TemplatePatch`` can change, as `{field: value}`: what change records compare.
    var fields: JSONObject {
        [
            "name": .string(name),
            "description_template": descriptionTemplate.map(JSONValue.string) ?? .null,
            "title_template": titleTemplate.map(JSONValue.string) ?? .null,
            "default_priority": defaultPriority.map { .string($0.rawValue) } ?? .null,
            "default_tags": .array(defaultTags.map(JSONValue.string)),
            "default_assignee": defaultAssignee?.json ?? .null,
            "checklist": .array(checklist.map(JSONValue.string)),
        ]
    }

    /// The template as every reply, snapshot line, export and event detail carries it: `{template_id, name,
    /// description_template, title_template, default_priority, default_tags, default_assignee, checklist,
    /// variables, created_at, created_by, updated_at}`, every member present (`null` when unset).
    package var json: JSONValue {
        var object: JSONObject = ["template_id": .string(id.text)]
        for member in fields.members { object.append(member.key, member.value) }
        object.append("variables", .array(variables.map(JSONValue.string)))
        object.append("created_at", .string(createdAt.rfc3339))
        object.append("created_by", createdBy.json)
        object.append("updated_at", .string(updatedAt.rfc3339))
        return .object(object)
    }

    /// Reads a template from its ``json`` form (`variables` is derived and not read); throws
    /// ``EngineError/damaged(_:)`` when it is not one.
    init(json value: JSONValue) throws(EngineError) {
        guard let object = value.objectValue, let id = object["template_id"]?.stringValue.flatMap(TemplateID.init),
            let name = object["name"]?.stringValue,
            let createdAt = object["created_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            let createdBy = object["created_by"]?.stringValue,
            let updatedAt = object["updated_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        else { throw .damaged("a stored template lacks a required member") }
        self.init(id: id, name: name, createdAt: createdAt, createdBy: UserID(createdBy))
        self.updatedAt = updatedAt
        func optionalString(_ key: String) throws(EngineError) -> String? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let string = value.stringValue else { throw .damaged("template \(id) has a bad \(key)") }
            return string
        }
        func strings(_ key: String) throws(EngineError) -> [String] {
            guard let value = object[key], !value.isNull else { return [] }
            guard let strings = TaskField.strings(value) else { throw .damaged("template \(id) has a bad \(key)") }
            return strings
        }
        descriptionTemplate = try optionalString("description_template")
        titleTemplate = try optionalString("title_template")
        if let text = try optionalString("default_priority") {
            guard let priority = TaskPriority(rawValue: text) else {
                throw .damaged("template \(id) has a bad default_priority")
            }
            defaultPriority = priority
        }
        defaultTags = try strings("default_tags")
        defaultAssignee = try optionalString("default_assignee").map { UserID($0) }
        checklist = try strings("checklist")
    }
}
