import JSON

/// Checks client values against ``TaskLimits`` and the field rules, throwing -32602 errors naming the field.
enum Validator {
    static let dueDateInFuture = "Due date must be in the future"

    static func title(_ text: String) throws(EngineError) -> String {
        if text.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
            throw .invalid("title", "Title must not be empty.")
        }
        try length(text, "title", TaskLimits.titleLength)
        return text
    }

    static func length(_ text: String, _ field: String, _ limit: Int) throws(EngineError) {
        // The UTF-8 length bounds the scalar count, so most strings skip counting.
        if text.utf8.count > limit, text.unicodeScalars.count > limit {
            throw .invalid(field, "Field \(field) is longer than \(limit) characters.")
        }
    }

    static func nonEmpty(_ text: String, _ field: String, _ limit: Int) throws(EngineError) -> String {
        guard !text.isEmpty else { throw .invalid(field, "Field \(field) must not be empty.") }
        try length(text, field, limit)
        return text
    }

    static func description(_ text: String) throws(EngineError) -> String {
        try length(text, "description", TaskLimits.descriptionLength)
        return text
    }

    static func priority(_ text: String) throws(EngineError) -> TaskPriority {
        guard let priority = TaskPriority(rawValue: text) else {
            throw .invalidField(
                field: "priority", error: "invalid_priority",
                message: "Priority must be one of low, medium, high, critical, not \(text)."
            )
        }
        return priority
    }

    static func status(_ text: String, field: String = "status") throws(EngineError) -> TaskStatus {
        guard let status = TaskStatus(rawValue: text) else {
            throw .invalid(field, "Status must be one of pending, in_progress, completed, cancelled, not \(text).")
        }
        return status
    }

    static func assignee(_ id: UserID) throws(EngineError) -> UserID {
        UserID(try nonEmpty(id.text, "assignee", TaskLimits.userIDLength))
    }

    /// A due date set by an update: it must be in the future unless it is `current`, the task's due date
    /// unchanged (a client writing back the task it read, once that task is overdue).
    static func dueDate(_ input: TimeInput, now: Timestamp, current: Timestamp?) throws(EngineError) -> Timestamp {
        let due = try time(input, field: "due_date", error: "invalid_due_date")
        guard due > now || due == current else {
            throw .invalidField(field: "due_date", error: "invalid_due_date", message: dueDateInFuture)
        }
        return due
    }

    static func time(
        _ input: TimeInput, field: String, error: String = "invalid_params"
    ) throws(EngineError)
        -> Timestamp
    {
        guard let time = input.timestamp else {
            throw .invalidField(
                field: field, error: error,
                message: "Field \(field) must be an RFC 3339 time or a number of Unix epoch seconds."
            )
        }
        return time
    }

    static func tags(_ tags: [String]) throws(EngineError) -> [String] {
        var result: [String] = []
        for tag in tags where !result.contains(tag) {
            result.append(try nonEmpty(tag, "tags", TaskLimits.tagLength))
        }
        guard result.count <= TaskLimits.tagCount else {
            throw .invalid("tags", "A task carries at most \(TaskLimits.tagCount) tags.")
        }
        return result
    }

    static func context(_ object: JSONObject) throws(EngineError) -> [TaskItem.ContextEntry] {
        var entries: [TaskItem.ContextEntry] = []
        for member in object.members {
            let field = "context.\(member.key)"
            guard let value = member.value.stringValue else {
                throw .invalid(field, "Context values must be strings; \(member.key) is a \(member.value.typeName).")
            }
            _ = try nonEmpty(member.key, "context", TaskLimits.contextKeyLength)
            try length(value, field, TaskLimits.contextValueLength)
            if let index = entries.firstIndex(where: { $0.key == member.key }) {
                entries[index].value = value
            } else {
                entries.append(.init(key: member.key, value: value))
            }
        }
        guard entries.count <= TaskLimits.contextKeys else {
            throw .invalid("context", "Context holds at most \(TaskLimits.contextKeys) keys.")
        }
        return entries
    }

    static func progress(_ value: Int) throws(EngineError) -> Int {
        guard (0...100).contains(value) else { throw .invalid("progress", "Progress must be between 0 and 100.") }
        return value
    }

    static func minutes(_ value: Int) throws(EngineError) -> Int {
        guard (0...TaskLimits.timeSpentMinutes).contains(value) else {
            throw .invalid(
                "time_spent_minutes", "Time spent must be between 0 and \(TaskLimits.timeSpentMinutes) minutes.")
        }
        return value
    }

    static func outcomes(_ outcomes: [String]) throws(EngineError) -> [String] {
        guard outcomes.count <= TaskLimits.outcomeCount else {
            throw .invalid("outcomes", "At most \(TaskLimits.outcomeCount) outcomes are allowed.")
        }
        for outcome in outcomes { _ = try nonEmpty(outcome, "outcomes", TaskLimits.outcomeLength) }
        return outcomes
    }

    static func ifVersion(_ expected: Int?, task: TaskItem) throws(EngineError) {
        if let expected, expected != task.version {
            throw .versionConflict(taskID: task.id.description, current: task.version, expected: expected)
        }
    }

    /// A 64-bit FNV-1a hash as 16 hex digits: stable across runs, unlike `Hasher`.
    static func fingerprint(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
