/// The filters of a `tasks.analytics` call, as the client sent them (the engine validates).
package struct AnalyticsQuery: Sendable, Equatable {
    /// Only tasks created at or after this time.
    package var from: TimeInput?
    /// Only tasks created before this time (exclusive).
    package var to: TimeInput?
    /// Only tasks assigned to this user id.
    package var assignee: UserID?
    /// `true`: only tasks nobody is assigned to (`assignee: null` on the wire, as in `tasks.list`).
    package var unassigned = false
    /// Only tasks whose `context.bot_id` is this.
    package var botID: String?
    /// Only tasks carrying every one of these tags.
    package var tags: [String] = []

    /// No filter: every live task.
    package init() {}
}

/// A validated ``AnalyticsQuery``: times as microseconds, duplicates gone.
struct ResolvedAnalyticsQuery: Sendable, Equatable {
    /// Creation times in `from..<to` (microseconds); either bound may be open.
    var from: Int64?
    var to: Int64?
    var assignee: UserID?
    var unassigned = false
    var botID: String?
    var tags: [String] = []

    init() {}

    /// Validates a client query: times as `tasks.list` takes them (RFC 3339 or epoch seconds), `to` after
    /// `from`, non-empty filter values.
    init(_ query: AnalyticsQuery) throws(EngineError) {
        from = try query.from.map { (input) throws(EngineError) in
            try Validator.time(input, field: "from").microseconds
        }
        to = try query.to.map { (input) throws(EngineError) in try Validator.time(input, field: "to").microseconds }
        if let from, let to, to <= from {
            throw .invalid("to", "Field to must be later than from.")
        }
        if let assignee = query.assignee {
            self.assignee = UserID(try Validator.nonEmpty(assignee.text, "assignee", 1000))
        }
        unassigned = query.unassigned && query.assignee == nil
        if let bot = query.botID {
            botID = try Validator.nonEmpty(bot, "bot_id", TaskLimits.contextValueLength)
        }
        for tag in query.tags where !tags.contains(tag) {
            tags.append(try Validator.nonEmpty(tag, "tags", TaskLimits.tagLength))
        }
    }

    /// Whether the live task at `index` passes the filters other than the time window.
    func matches<Tasks: RandomAccessCollection<TaskItem>>(_ tasks: Tasks, _ index: Int) -> Bool
    where Tasks.Index == Int {
        if let assignee, tasks[index].assignee != assignee { return false }
        if unassigned, tasks[index].assignee != nil { return false }
        if let botID, AnalyticsAggregates.botID(tasks, index) != botID { return false }
        for tag in tags where !tasks[index].tags.contains(tag) { return false }
        return true
    }

    /// The number of filters besides the time window.
    var filterCount: Int { (assignee != nil || unassigned ? 1 : 0) + (botID != nil ? 1 : 0) + tags.count }

    var hasWindow: Bool { from != nil || to != nil }
}
