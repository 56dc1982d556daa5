import JSON

/// Checks automation params, throwing -32602 errors that name the field (`trigger.value`, `action.template`).
enum AutomationValidator {
    static func name(_ text: String) throws(EngineError) -> String {
        if text.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
            throw .invalid("name", "Name must not be empty.")
        }
        try Validator.length(text, "name", AutomationLimits.nameLength)
        return text
    }

    static func value(_ text: String, field: String) throws(EngineError) -> String {
        try Validator.nonEmpty(text, field, AutomationLimits.valueLength)
    }

    private static func refuseUnknown(_ object: JSONObject, _ known: [String], in prefix: String) throws(EngineError) {
        for key in object.keys where !known.contains(key) {
            throw .invalid("\(prefix).\(key)", "Unknown field \(prefix).\(key).")
        }
    }

    /// `{type: "conversation_tag", value}` or `{type: "task_event", event, conditions?}`.
    static func apply(trigger: JSONObject, to automation: inout Automation) throws(EngineError) {
        if trigger["type"] == "task_event" {
            automation.taskEvent = try taskEvent(trigger)
            automation.tag = ""
            return
        }
        try refuseUnknown(trigger, ["type", "value"], in: "trigger")
        guard trigger["type"] == "conversation_tag" else {
            throw .invalid("trigger.type", "Trigger type must be conversation_tag or task_event.")
        }
        guard let value = trigger["value"]?.stringValue else {
            throw .invalid("trigger.value", "Field trigger.value must be a string.")
        }
        automation.tag = try Self.value(value, field: "trigger.value")
        automation.taskEvent = nil
    }

    /// `{type: "task_event", event, conditions?: {priority?, tags?, bot_id?}}`.
    private static func taskEvent(_ trigger: JSONObject) throws(EngineError) -> TaskEventTrigger {
        try refuseUnknown(trigger, ["type", "event", "conditions"], in: "trigger")
        let names = TaskEventTrigger.events.map(\.rawValue)
        guard let text = trigger["event"]?.stringValue, names.contains(text) else {
            throw .invalid("trigger.event", "Field trigger.event must be one of \(names.joined(separator: ", ")).")
        }
        var result = TaskEventTrigger(event: FeedEventType(rawValue: text))
        guard let value = trigger["conditions"], !value.isNull else { return result }
        guard let conditions = value.objectValue else {
            throw .invalid("trigger.conditions", "Field trigger.conditions must be an object.")
        }
        try refuseUnknown(conditions, ["priority", "tags", "bot_id"], in: "trigger.conditions")
        if let value = conditions["priority"], !value.isNull {
            let texts = value.stringValue.map { [$0] } ?? TaskField.strings(value)
            var priorities: [TaskPriority] = []
            for text in texts ?? [] {
                guard let priority = TaskPriority(rawValue: text) else { continue }
                if !priorities.contains(priority) { priorities.append(priority) }
            }
            guard let texts, !texts.isEmpty, priorities.count == Set(texts).count else {
                throw .invalidField(
                    field: "trigger.conditions.priority", error: "invalid_priority",
                    message: "Field trigger.conditions.priority must be a level or a list of levels "
                        + "(low, medium, high, critical).")
            }
            result.priorities = priorities
        }
        if let value = conditions["tags"], !value.isNull {
            guard let tags = TaskField.strings(value), !tags.isEmpty, tags.count <= TaskLimits.tagCount else {
                throw .invalid(
                    "trigger.conditions.tags",
                    "Field trigger.conditions.tags must be a list of 1 to \(TaskLimits.tagCount) tags.")
            }
            var unique: [String] = []
            for tag in tags where !unique.contains(tag) {
                unique.append(try Validator.nonEmpty(tag, "trigger.conditions.tags", TaskLimits.tagLength))
            }
            result.tags = unique
        }
        if let value = conditions["bot_id"], !value.isNull {
            guard let botID = value.stringValue else {
                throw .invalid("trigger.conditions.bot_id", "Field trigger.conditions.bot_id must be a string.")
            }
            result.botID = try Validator.nonEmpty(botID, "trigger.conditions.bot_id", AutomationLimits.valueLength)
        }
        return result
    }

    /// `{type: "create_task", template, priority?, auto_assign?, assignee_pool?}`; the template must exist.
    static func apply(
        action: JSONObject, to automation: inout Automation, templates: TemplateLedger
    ) throws(EngineError) {
        try refuseUnknown(action, ["type", "template", "priority", "auto_assign", "assignee_pool"], in: "action")
        guard action["type"] == "create_task" else {
            throw .invalid("action.type", "Action type must be create_task.")
        }
        guard let text = action["template"]?.stringValue else {
            throw .invalid("action.template", "Field action.template must be a template id.")
        }
        guard let template = TemplateID(text), templates.contains(template) else {
            throw .templateNotFound(text)
        }
        automation.template = template
        automation.priority = nil
        if let value = action["priority"], !value.isNull {
            guard let text = value.stringValue, let priority = TaskPriority(rawValue: text) else {
                throw .invalidField(
                    field: "action.priority", error: "invalid_priority",
                    message: "Priority must be one of low, medium, high, critical.")
            }
            automation.priority = priority
        }
        automation.autoAssign = false
        if let value = action["auto_assign"], !value.isNull {
            guard let flag = value.boolValue else {
                throw .invalid("action.auto_assign", "Field action.auto_assign must be a boolean.")
            }
            automation.autoAssign = flag
        }
        automation.assigneePool = []
        if let value = action["assignee_pool"], !value.isNull {
            guard let users = TaskField.strings(value), users.count <= AutomationLimits.poolSize else {
                throw .invalid(
                    "action.assignee_pool",
                    "Field action.assignee_pool must be at most \(AutomationLimits.poolSize) user ids.")
            }
            var pool: [UserID] = []
            for user in users where !pool.contains(UserID(user)) {
                pool.append(UserID(try Validator.nonEmpty(user, "action.assignee_pool", TaskLimits.userIDLength)))
            }
            automation.assigneePool = pool
        }
    }
}
