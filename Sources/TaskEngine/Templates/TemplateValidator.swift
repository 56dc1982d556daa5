import JSON

/// Checks template params against ``TemplateLimits`` and the task field rules, throwing -32602 errors that
/// name the template's field (`default_priority`, not `priority`).
enum TemplateValidator {
    static func templateID(_ text: String) throws(EngineError) -> TemplateID {
        guard let id = TemplateID(text) else {
            throw .invalid(
                "template_id",
                "A template id is tpl_ and 1-\(TemplateID.maxNameLength) characters of A-Z a-z 0-9 _ -, not \(text).")
        }
        return id
    }

    static func name(_ text: String) throws(EngineError) -> String {
        if text.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
            throw .invalid("name", "Name must not be empty.")
        }
        try Validator.length(text, "name", TemplateLimits.nameLength)
        return text
    }

    static func titleTemplate(_ text: String) throws(EngineError) -> String {
        if text.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
            throw .invalid("title_template", "Title template must not be empty.")
        }
        try Validator.length(text, "title_template", TaskLimits.titleLength)
        return text
    }

    static func descriptionTemplate(_ text: String) throws(EngineError) -> String {
        try Validator.length(text, "description_template", TaskLimits.descriptionLength)
        return text
    }

    static func defaultPriority(_ text: String) throws(EngineError) -> TaskPriority {
        guard let priority = TaskPriority(rawValue: text) else {
            throw .invalidField(
                field: "default_priority", error: "invalid_priority",
                message: "Default priority must be one of low, medium, high, critical, not \(text)."
            )
        }
        return priority
    }

    static func defaultTags(_ tags: [String]) throws(EngineError) -> [String] {
        var result: [String] = []
        for tag in tags where !result.contains(tag) {
            result.append(try Validator.nonEmpty(tag, "default_tags", TaskLimits.tagLength))
        }
        guard result.count <= TaskLimits.tagCount else {
            throw .invalid("default_tags", "A template carries at most \(TaskLimits.tagCount) default tags.")
        }
        return result
    }

    static func defaultAssignee(_ text: String) throws(EngineError) -> UserID {
        UserID(try Validator.nonEmpty(text, "default_assignee", TaskLimits.userIDLength))
    }

    /// Checklist texts: at most ``TemplateLimits/checklistCount``, each not blank and at most
    /// ``TemplateLimits/checklistTextLength`` characters.
    static func checklist(_ texts: [String], field: String = "checklist") throws(EngineError) -> [String] {
        guard texts.count <= TemplateLimits.checklistCount else {
            throw .invalid(field, "A checklist holds at most \(TemplateLimits.checklistCount) items.")
        }
        for text in texts {
            if text.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
                throw .invalid(field, "Checklist items must not be empty.")
            }
            try Validator.length(text, field, TemplateLimits.checklistTextLength)
        }
        return texts
    }

    /// The variables of `tasks.create_from_template` as text: strings as they are, numbers as their JSON
    /// text (`1234`, `2.5`); anything else is -32602 naming `variables.<name>`.
    static func variables(_ object: JSONObject) throws(EngineError) -> [String: String] {
        guard object.count <= TemplateLimits.variableCount else {
            throw .invalid("variables", "At most \(TemplateLimits.variableCount) variables are allowed.")
        }
        var result: [String: String] = [:]
        for member in object.members {
            let field = "variables.\(member.key)"
            guard !member.key.isEmpty, Placeholders.names(in: "{{\(member.key)}}") == [member.key] else {
                throw .invalid(field, "Variable names are 1 or more of A-Z a-z 0-9 _ . -, not \(member.key).")
            }
            try Validator.length(member.key, field, TemplateLimits.variableNameLength)
            let text: String
            switch member.value {
            case .string(let string): text = string
            case .number(let literal): text = literal
            default:
                throw .invalid(
                    field, "Variable values must be strings or numbers; \(member.key) is a \(member.value.typeName).")
            }
            try Validator.length(text, field, TemplateLimits.variableValueLength)
            result[member.key] = text
        }
        return result
    }
}

extension Validator {
    /// A task's checklist as `tasks.update` replaces it: the template checklist rules for its texts.
    static func checklist(_ items: [TaskItem.ChecklistItem]) throws(EngineError) -> [TaskItem.ChecklistItem] {
        _ = try TemplateValidator.checklist(items.map(\.text))
        return items
    }

    /// Ticks checklist items by index; an index outside the list is -32602 naming `check[n].index`.
    static func tick(
        _ checklist: inout [TaskItem.ChecklistItem], _ checks: [TaskItem.ChecklistCheck]
    ) throws(EngineError) {
        for (position, check) in checks.enumerated() {
            guard checklist.indices.contains(check.index) else {
                throw .invalid(
                    "check[\(position)].index",
                    checklist.isEmpty
                        ? "The task has no checklist items; index \(check.index) is out of range."
                        : "Checklist index \(check.index) is out of range 0-\(checklist.count - 1).")
            }
            checklist[check.index].done = check.done
        }
    }
}
