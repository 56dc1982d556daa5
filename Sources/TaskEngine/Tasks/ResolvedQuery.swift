/// A validated `tasks.list` query: every filter in the engine's own terms.
struct ResolvedQuery: Sendable {
    var statuses: Set<TaskStatus>?
    var priorities: Set<TaskPriority>?
    var assignee: UserID?
    /// Only tasks without an assignee.
    var unassigned = false
    var tags: [String] = []
    /// Only tasks whose `updated_at` is at least this (microseconds); a filter over the candidates, with no
    /// index of its own.
    var updatedFrom: Int64?
    /// Only tasks this user created; a filter over the candidates, with no index of its own.
    var createdBy: String?
    /// Due dates in `dueFrom..<dueTo` (microseconds); either bound may be open.
    var dueFrom: Int64?
    var dueTo: Int64?
    /// Lower-cased search text.
    var search: String?
    /// Only overdue tasks (``TaskItem/isOverdue``), driven by the ledger's set of them.
    var overdue = false
    /// Bit `status.index` set for each wanted status; 0 when any status will do.
    private var statusMask: UInt8 = 0
    /// Bit `priority.rank` set for each wanted priority; 0 when any priority will do.
    private var priorityMask: UInt8 = 0
    var sort: TaskQuery.SortKey = .createdAt
    var ascending = false
    var offset = 0
    var limit = 20

    var hasDueRange: Bool { dueFrom != nil || dueTo != nil }

    /// Validates a client query.
    init(_ query: TaskQuery) throws(EngineError) {
        if !query.statuses.isEmpty {
            var statuses = Set<TaskStatus>()
            for text in query.statuses { statuses.insert(try Validator.status(text)) }
            self.statuses = statuses
        }
        if !query.priorities.isEmpty {
            var priorities = Set<TaskPriority>()
            for text in query.priorities { priorities.insert(try Validator.priority(text)) }
            self.priorities = priorities
        }
        if let assignee = query.assignee {
            self.assignee = UserID(try Validator.nonEmpty(assignee.text, "assignee", 1000))
        }
        unassigned = query.unassigned
        for tag in query.tags where !tags.contains(tag) {
            tags.append(try Validator.nonEmpty(tag, "tags", TaskLimits.tagLength))
        }
        if let after = query.dueAfter {
            // Strictly after: the first microsecond past the bound.
            dueFrom = try Validator.time(after, field: "due_after").microseconds + 1
        }
        if let after = query.updatedAfter {
            updatedFrom = try Validator.time(after, field: "updated_after").microseconds + 1
        }
        if let creator = query.createdBy { createdBy = try Validator.nonEmpty(creator, "created_by", 1000) }
        if let before = query.dueBefore {
            dueTo = try Validator.time(before, field: "due_before").microseconds
        }
        overdue = query.overdue
        if let search = query.search {
            _ = try Validator.nonEmpty(search, "q", TaskLimits.searchLength)
            self.search = search.lowercased()
        }
        if let sort = query.sort {
            guard let key = TaskQuery.SortKey(rawValue: sort) else {
                throw .invalid("sort", "Sort must be one of created_at, due_date, priority, updated_at, not \(sort).")
            }
            self.sort = key
        }
        switch query.order {
        case nil: ascending = self.sort.defaultAscending
        case "asc": ascending = true
        case "desc": ascending = false
        case let order?: throw .invalid("order", "Order must be asc or desc, not \(order).")
        }
        guard (1...TaskLimits.pageNumber).contains(query.page) else {
            throw .invalid("page", "Page must be between 1 and \(TaskLimits.pageNumber).")
        }
        guard (1...TaskLimits.pageSize).contains(query.limit) else {
            throw .invalid("limit", "Limit must be between 1 and \(TaskLimits.pageSize).")
        }
        limit = query.limit
        offset = (query.page - 1) * query.limit
        statusMask = statuses.map { $0.reduce(0) { $0 | UInt8(1) << $1.index } } ?? 0
        priorityMask = priorities.map { $0.reduce(0) { $0 | UInt8(1) << $1.rank } } ?? 0
    }

    /// Whether the live task at `index` passes every filter.
    ///
    /// Reads each field through the array instead of copying the task out: a copy retains a dozen strings
    /// and arrays, which made scans several times slower.
    func matches<Tasks: RandomAccessCollection<TaskItem>>(_ tasks: Tasks, _ index: Int) -> Bool
    where Tasks.Index == Int {
        if statusMask != 0, statusMask & (1 << tasks[index].status.index) == 0 { return false }
        if priorityMask != 0, priorityMask & (1 << tasks[index].priority.rank) == 0 { return false }
        if let assignee, tasks[index].assignee != assignee { return false }
        if unassigned, tasks[index].assignee != nil { return false }
        if overdue, !tasks[index].isOverdue { return false }
        if let updatedFrom, tasks[index].updatedAt.microseconds < updatedFrom { return false }
        if let createdBy, tasks[index].createdBy.text != createdBy { return false }
        if hasDueRange {
            guard let due = tasks[index].dueDate?.microseconds else { return false }
            if let dueFrom, due < dueFrom { return false }
            if let dueTo, due >= dueTo { return false }
        }
        for tag in tags where !tasks[index].tags.contains(tag) { return false }
        if let search, !Self.textMatches(tasks, index, search) { return false }
        return true
    }

    /// Whether the task at `index` holds an already lower-cased needle in its title or description.
    static func textMatches<Tasks: RandomAccessCollection<TaskItem>>(
        _ tasks: Tasks, _ index: Int, _ needle: String
    )
        -> Bool
    where Tasks.Index == Int {
        contains(tasks[index].title, needle) || contains(tasks[index].description, needle)
    }

    /// Whether a task passes every filter.
    func matches(_ task: TaskItem) -> Bool { matches([task], 0) }

    /// Case-insensitive substring test against an already lower-cased needle.
    static func contains(_ haystack: String?, _ needle: String) -> Bool {
        guard var haystack else { return false }
        var needle = needle
        // Fast path without allocating: ASCII folding is exact when both sides are ASCII.
        let result: Bool? = haystack.withUTF8 { hay in
            needle.withUTF8 { pin -> Bool? in
                guard pin.count <= hay.count else { return false }
                if pin.isEmpty { return true }
                var sawNonASCII = false
                outer: for start in 0...(hay.count - pin.count) {
                    for offset in 0..<pin.count {
                        var byte = hay[start + offset]
                        if byte >= 0x80 || pin[offset] >= 0x80 {
                            sawNonASCII = true
                            break outer
                        }
                        if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte += 32 }
                        if byte != pin[offset] { continue outer }
                    }
                    return true
                }
                return sawNonASCII ? nil : false
            }
        }
        if let result { return result }
        return haystack.lowercased().contains(needle)
    }
}
