package import JSON

/// A rule that creates tasks when the host reports a matching event (`events.publish`).
///
/// The trigger is `{type: "conversation_tag", value}`, which matches a published `conversation_tag` event with
/// exactly that value, or `{type: "task_event", event, conditions}` (``TaskEventTrigger``), which matches a
/// committed change of a task. The action is `{type: "create_task", template, priority?, auto_assign?,
/// assignee_pool?}`: one task from the template, its priority overridden when given, its assignee chosen by
/// ``AutomationLimits`` rules when `auto_assign` is set. Firing state (how often, the round-robin cursor)
/// changes with the tasks the automation creates, never by itself.
package struct Automation: Sendable, Equatable {
    package var id: AutomationID
    package var name: String
    /// The conversation tag that fires the automation; unused when ``taskEvent`` is set.
    package var tag: String
    /// The `task_event` trigger; `nil` for a `conversation_tag` trigger.
    package var taskEvent: TaskEventTrigger?
    package var template: TemplateID
    package var priority: TaskPriority?
    package var autoAssign: Bool
    /// The users `auto_assign` chooses from; empty means every user with role `member`.
    package var assigneePool: [UserID]
    package var enabled: Bool
    package var createdAt: Timestamp
    package var createdBy: UserID
    package var updatedAt: Timestamp
    /// How many tasks the automation created.
    package var firedCount: Int = 0
    package var lastFiredAt: Timestamp?
    /// Advances with every auto-assignment; breaks ties between equally loaded users round-robin.
    package var assignCursor: Int = 0

    /// The trigger as the wire shows it.
    var triggerJSON: JSONValue { taskEvent?.json ?? ["type": "conversation_tag", "value": .string(tag)] }

    /// The action as the wire shows it.
    var actionJSON: JSONValue {
        [
            "type": "create_task",
            "template": .string(template.text),
            "priority": priority.map { .string($0.rawValue) } ?? .null,
            "auto_assign": .bool(autoAssign),
            "assignee_pool": .array(assigneePool.map(\.json)),
        ]
    }

    /// The automation as replies, snapshot lines, exports and event details carry it.
    package var json: JSONValue {
        [
            "automation_id": .string(id.description),
            "name": .string(name),
            "trigger": triggerJSON,
            "action": actionJSON,
            "enabled": .bool(enabled),
            "created_at": .string(createdAt.rfc3339),
            "created_by": createdBy.json,
            "updated_at": .string(updatedAt.rfc3339),
            "fired_count": .int(firedCount),
            "last_fired_at": lastFiredAt.map { .string($0.rfc3339) } ?? .null,
            "assign_cursor": .int(assignCursor),
        ]
    }

    package init(
        id: AutomationID, name: String, tag: String, template: TemplateID, createdAt: Timestamp, createdBy: UserID
    ) {
        self.id = id
        self.name = name
        self.tag = tag
        self.template = template
        self.priority = nil
        self.autoAssign = false
        self.assigneePool = []
        self.enabled = true
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = createdAt
    }

    /// Reads an automation from its ``json`` form; throws ``EngineError/damaged(_:)`` when it is not one.
    init(json value: JSONValue) throws(EngineError) {
        guard let object = value.objectValue,
            let id = object["automation_id"]?.stringValue.flatMap(AutomationID.init),
            let name = object["name"]?.stringValue,
            let trigger = object["trigger"],
            let action = object["action"]?.objectValue, action["type"] == "create_task",
            let template = action["template"]?.stringValue.flatMap(TemplateID.init),
            let autoAssign = action["auto_assign"]?.boolValue,
            let pool = action["assignee_pool"].flatMap(TaskField.strings),
            let enabled = object["enabled"]?.boolValue,
            let createdAt = object["created_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            let createdBy = object["created_by"]?.stringValue,
            let updatedAt = object["updated_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            let firedCount = object["fired_count"]?.intValue, let cursor = object["assign_cursor"]?.intValue
        else { throw .damaged("a stored automation lacks a required member") }
        var tag = ""
        var taskEvent: TaskEventTrigger?
        if trigger["type"] == "conversation_tag", let value = trigger["value"]?.stringValue {
            tag = value
        } else if let parsed = TaskEventTrigger(json: trigger) {
            taskEvent = parsed
        } else {
            throw .damaged("automation \(id) has a bad trigger")
        }
        self.init(id: id, name: name, tag: tag, template: template, createdAt: createdAt, createdBy: UserID(createdBy))
        if let text = action["priority"]?.stringValue {
            guard let priority = TaskPriority(rawValue: text) else {
                throw .damaged("automation \(id) has a bad priority")
            }
            self.priority = priority
        }
        self.taskEvent = taskEvent
        self.autoAssign = autoAssign
        self.assigneePool = pool.map { UserID($0) }
        self.enabled = enabled
        self.updatedAt = updatedAt
        self.firedCount = firedCount
        self.assignCursor = cursor
        if let text = object["last_fired_at"]?.stringValue {
            guard let time = Timestamp(rfc3339: text) else {
                throw .damaged("automation \(id) has a bad last_fired_at")
            }
            self.lastFiredAt = time
        }
    }
}
