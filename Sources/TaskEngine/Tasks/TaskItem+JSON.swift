package import JSON

extension TaskItem {
    /// The full task as `tasks.get` (and `tasks.create`) return it; every field is present, `null` when unset.
    ///
    /// `assignee` is expanded through the user directory to `{user_id, name, avatar_url}`, `null` for what a
    /// known user lacks; a user the directory does not know is `{"user_id": id}`.
    package func detailJSON(directory: any UserDirectory) -> JSONValue {
        var object = JSONObject()
        object.append("task_id", .string(id.description))
        object.append("title", .string(title))
        object.append("description", TaskField.description.value(of: self))
        object.append("status", .string(status.rawValue))
        object.append("priority", .string(priority.rawValue))
        object.append("assignee", assignee.map { Self.assigneeJSON($0, directory: directory) } ?? .null)
        appendCommonFields(to: &object)
        appendOptionalFields(to: &object, always: true)
        return .object(object)
    }

    /// The workflow fields (`workflow_id`, `step`, `blocked_by`) and the template fields (`checklist`,
    /// `template_id`): on the wire always (`null` or `[]` when unset), in persistent JSON only when set (see
    /// ``TaskField/isStoredOnlyWhenSet``), so tasks that never used them are stored as release 0.1.0 stored them.
    private func appendOptionalFields(to object: inout JSONObject, always: Bool) {
        for field in TaskField.allCases where field.isStoredOnlyWhenSet {
            let value = field.value(of: self)
            if always || (value != .null && value != .array([])) { object.append(field.rawValue, value) }
        }
    }

    private static func assigneeJSON(_ userID: UserID, directory: any UserDirectory) -> JSONValue {
        var object: JSONObject = ["user_id": userID.json]
        if let profile = directory.profile(of: userID) {
            object.append("name", profile.name.map(JSONValue.string) ?? .null)
            object.append("avatar_url", profile.avatarURL.map(JSONValue.string) ?? .null)
        }
        return .object(object)
    }

    private func appendCommonFields(to object: inout JSONObject) {
        object.append("due_date", TaskField.dueDate.value(of: self))
        object.append("tags", TaskField.tags.value(of: self))
        object.append("context", TaskField.context.value(of: self))
        object.append("progress", .int(progress))
        object.append("time_spent_minutes", .int(timeSpentMinutes))
        object.append("created_at", .string(createdAt.rfc3339))
        object.append("created_by", createdBy.json)
        object.append("updated_at", .string(updatedAt.rfc3339))
        object.append("completed_at", TaskField.completedAt.value(of: self))
        object.append("completed_by", TaskField.completedBy.value(of: self))
        object.append("resolution", TaskField.resolution.value(of: self))
        object.append("outcomes", TaskField.outcomes.value(of: self))
        object.append("comments_count", .int(commentsCount))
        object.append("attachments_count", .int(attachmentsCount))
        object.append("watchers", .array(watchers.map(\.json)))
        object.append("version", .int(version))
    }

    /// The short form `tasks.list` returns; `assignee` stays the plain user id. The workflow and template
    /// fields are always present, as in the detail form.
    package var summaryJSON: JSONValue {
        var object: JSONObject = [
            "task_id": .string(id.description),
            "title": .string(title),
            "status": .string(status.rawValue),
            "assignee": assignee?.json ?? .null,
            "priority": .string(priority.rawValue),
            "due_date": TaskField.dueDate.value(of: self),
            "progress": .int(progress),
            "tags": TaskField.tags.value(of: self),
            "created_at": .string(createdAt.rfc3339),
            "updated_at": .string(updatedAt.rfc3339),
            "version": .int(version),
        ]
        appendOptionalFields(to: &object, always: true)
        return .object(object)
    }

    /// Every stored field, for snapshots and export: the detail form with a plain `assignee` and `deleted`,
    /// and, once they fired, the due dates of its reminders (`overdue_for`, `due_soon_for`; left out when
    /// unset, so older data reads as tasks whose reminders never fired).
    var persistentJSON: JSONObject {
        var object = storedJSON
        object.append("overdue_for", ifPresent: overdueFiredFor.map { .string($0.rfc3339) })
        object.append("due_soon_for", ifPresent: dueSoonFiredFor.map { .string($0.rfc3339) })
        return object
    }

    /// The stored fields but the reminder marks: what the event feed shows as a task.
    var storedJSON: JSONObject {
        var object = JSONObject()
        object.append("task_id", .string(id.description))
        object.append("title", .string(title))
        object.append("description", TaskField.description.value(of: self))
        object.append("status", .string(status.rawValue))
        object.append("priority", .string(priority.rawValue))
        object.append("assignee", TaskField.assignee.value(of: self))
        appendCommonFields(to: &object)
        object.append("deleted", .bool(isDeleted))
        appendOptionalFields(to: &object, always: false)
        return object
    }

    /// Reads a task from its ``persistentJSON`` form.
    init(persistent object: JSONObject) throws(EngineError) {
        guard let id = object["task_id"]?.stringValue, let raw = TaskID(id)?.raw,
            let createdAt = object["created_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            let updatedAt = object["updated_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            let createdBy = object["created_by"]?.stringValue,
            let version = object["version"]?.intValue,
            let deleted = object["deleted"]?.boolValue
        else { throw .damaged("a stored task lacks a required member") }
        self.init(rawID: raw, title: "", createdAt: createdAt, createdBy: UserID(createdBy))
        for field in TaskField.allCases {
            if field.isStoredOnlyWhenSet, object[field.rawValue] == nil { continue }
            guard let value = object[field.rawValue], field.set(value, in: &self) else {
                throw .damaged("stored task \(id) has a bad \(field.rawValue)")
            }
        }
        self.updatedAt = updatedAt
        self.version = version
        self.isDeleted = deleted
        self.commentsCount = object["comments_count"]?.intValue ?? 0
        self.attachmentsCount = object["attachments_count"]?.intValue ?? 0
        self.watchers = (object["watchers"].flatMap(TaskField.strings) ?? []).map { UserID($0) }
        self.overdueFiredFor = try Self.reminderMark(object, "overdue_for", task: id)
        self.dueSoonFiredFor = try Self.reminderMark(object, "due_soon_for", task: id)
    }

    /// An optional stored time (`overdue_for`, `due_soon_for`): absent or null is `nil`.
    private static func reminderMark(
        _ object: JSONObject, _ key: String, task: String
    ) throws(EngineError)
        -> Timestamp?
    {
        guard let value = object[key], value != .null else { return nil }
        guard let time = value.stringValue.flatMap(Timestamp.init(rfc3339:)) else {
            throw .damaged("stored task \(task) has a bad \(key)")
        }
        return time
    }
}
