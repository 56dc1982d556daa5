import Foundation

extension TaskLedger {
    /// Where candidate tasks come from: every live task, the union of some per-value sets, or a due-date range.
    private enum Driver {
        case all
        case sets([SortedChunks<Int32>])
        case dueRange

        /// Whether walking this driver in slot order is walking its tasks in creation order.
        var isSingleOrderedSet: Bool {
            if case .sets(let sets) = self { return sets.count == 1 }
            return false
        }
    }

    /// The page of live tasks a query selects, and how many tasks match in all.
    ///
    /// Picks the most selective index as the driver. When the total is known from index sizes alone, it
    /// walks the sort order and stops after the page; otherwise it counts along the driver and either walks
    /// the sort order or sorts the (few) matches, whichever the counts say is cheaper. Nothing scans and
    /// sorts every task per page.
    func list(_ query: ResolvedQuery) -> (slots: [Int32], total: Int) {
        var candidates: [(driver: Driver, count: Int)] = []
        var conditions = 0
        var impossible = false
        if let statuses = query.statuses {
            let sets = TaskStatus.allCases.filter(statuses.contains).map { indexes.byStatus[$0.index] }
            candidates.append((.sets(sets), sets.reduce(0) { $0 + $1.count }))
            conditions += 1
        }
        if let priorities = query.priorities {
            let sets = TaskPriority.allCases.filter(priorities.contains).map { indexes.byPriority[$0.rank] }
            candidates.append((.sets(sets), sets.reduce(0) { $0 + $1.count }))
            conditions += 1
        }
        if let assignee = query.assignee {
            if let set = indexes.byAssignee[assignee] {
                candidates.append((.sets([set]), set.count))
            } else {
                impossible = true
            }
            conditions += 1
        }
        if query.unassigned {
            candidates.append((.sets([indexes.unassigned]), indexes.unassigned.count))
            conditions += 1
        }
        for tag in query.tags {
            if let set = indexes.byTag[tag] {
                candidates.append((.sets([set]), set.count))
            } else {
                impossible = true
            }
            conditions += 1
        }
        if query.hasDueRange {
            let lower = query.dueFrom.map { TimeKey(time: $0, slot: .min) }
            let upper = query.dueTo.map { TimeKey(time: $0, slot: .min) }
            if let from = query.dueFrom, let to = query.dueTo, from >= to {
                impossible = true
            } else {
                candidates.append((.dueRange, indexes.byDueDate.count(from: lower, to: upper)))
            }
            conditions += 1
        }
        if query.overdue {
            candidates.append((.sets([indexes.overdue]), indexes.overdue.count))
            conditions += 1
        }
        if query.search != nil { conditions += 1 }
        // Residual filters without an index: they only narrow the candidates the other conditions give.
        if query.updatedFrom != nil { conditions += 1 }
        if query.createdBy != nil { conditions += 1 }
        if impossible { return ([], 0) }

        let (driver, driverCount) = candidates.min { $0.count < $1.count } ?? (.all, indexes.live.count)
        let wanted = query.offset + query.limit
        var exactTotal: Int?
        if conditions == 0 {
            exactTotal = indexes.live.count
        } else if conditions == 1, !candidates.isEmpty {
            exactTotal = driverCount
        }

        if let total = exactTotal {
            guard query.offset < total else { return ([], total) }
            if query.sort == .createdAt, driver.isSingleOrderedSet || conditions == 0 {
                return (walkDriverInOrder(driver, query, countAll: false).slots, total)
            }
            let walkCost = Double(wanted) * Double(indexes.live.count) / Double(max(total, 1))
            let sortCost = Double(driverCount) + Double(total) * log2(Double(max(total, 2)))
            if walkCost <= sortCost, let page = walkSortOrder(query, budget: Int(sortCost)) { return (page, total) }
            return (sortMatches(collect(driver, query), query), total)
        }

        if query.sort == .createdAt, driver.isSingleOrderedSet || candidates.isEmpty {
            return walkDriverInOrder(driver, query, countAll: true)
        }
        let matches = collect(driver, query)
        let total = matches.count
        guard query.offset < total else { return ([], total) }
        let walkCost = Double(wanted) * Double(indexes.live.count) / Double(max(total, 1))
        let sortCost = Double(total) * log2(Double(max(total, 2)))
        if walkCost <= sortCost, let page = walkSortOrder(query, budget: Int(sortCost)) { return (page, total) }
        return (sortMatches(matches, query), total)
    }

    /// Walks a single set (or all live tasks) in slot order, which is creation order.
    private func walkDriverInOrder(
        _ driver: Driver, _ query: ResolvedQuery, countAll: Bool
    )
        -> (slots: [Int32], total: Int)
    {
        let set: SortedChunks<Int32>
        if case .sets(let sets) = driver, let only = sets.first {
            set = only
        } else {
            set = indexes.live
        }
        var page: [Int32] = []
        var seen = 0
        set.forEach(ascending: query.ascending) { slot in
            guard query.matches(tasks, Int(slot)) else { return true }
            if seen >= query.offset, page.count < query.limit { page.append(slot) }
            seen += 1
            return countAll || page.count < query.limit
        }
        return (page, seen)
    }

    /// Every slot from the driver that passes the filters, in no particular order.
    private func collect(_ driver: Driver, _ query: ResolvedQuery) -> [Int32] {
        var matches: [Int32] = []
        let visit: (Int32) -> Bool = { slot in
            if query.matches(tasks, Int(slot)) { matches.append(slot) }
            return true
        }
        switch driver {
        case .all: indexes.live.forEach(visit)
        case .sets(let sets): for set in sets { set.forEach(visit) }
        case .dueRange:
            indexes.byDueDate.forEach(
                from: query.dueFrom.map { TimeKey(time: $0, slot: .min) },
                to: query.dueTo.map { TimeKey(time: $0, slot: .min) }
            ) { key in visit(key.slot) }
        }
        return matches
    }

    /// Walks the index of the sort key in the requested order, filtering, until the page is full.
    ///
    /// Gives up (`nil`) after visiting `budget` tasks: the estimate that chose the walk assumes matches are
    /// spread evenly along the order, and when they are not (pending tasks are rarely the recently updated
    /// ones) sorting the matches is cheaper.
    private func walkSortOrder(_ query: ResolvedQuery, budget: Int) -> [Int32]? {
        var page: [Int32] = []
        var seen = 0
        var visited = 0
        var exhausted = false
        let visit: (Int32) -> Bool = { slot in
            visited += 1
            if visited > budget {
                exhausted = true
                return false
            }
            guard query.matches(tasks, Int(slot)) else { return true }
            if seen >= query.offset { page.append(slot) }
            seen += 1
            return page.count < query.limit
        }
        let ascending = query.ascending
        switch query.sort {
        case .createdAt:
            indexes.live.forEach(ascending: ascending, visit)
        case .updatedAt:
            indexes.byUpdatedAt.forEach(ascending: ascending) { visit($0.slot) }
        case .dueDate:
            var more = true
            indexes.byDueDate.forEach(
                from: query.dueFrom.map { TimeKey(time: $0, slot: .min) },
                to: query.dueTo.map { TimeKey(time: $0, slot: .min) },
                ascending: ascending
            ) { key in
                more = visit(key.slot)
                return more
            }
            // Tasks without a due date come last in both orders.
            if more, !query.hasDueRange { indexes.withoutDueDate.forEach(ascending: ascending, visit) }
        case .priority:
            let ranks = ascending ? Array(TaskPriority.allCases) : TaskPriority.allCases.reversed()
            for priority in ranks where query.priorities?.contains(priority) ?? true {
                var more = true
                indexes.byPriority[priority.rank].forEach(ascending: ascending) { slot in
                    more = visit(slot)
                    return more
                }
                if !more { break }
            }
        }
        return exhausted ? nil : page
    }

    /// Sorts matching slots by the query's key and cuts out the page.
    private func sortMatches(_ matches: [Int32], _ query: ResolvedQuery) -> [Int32] {
        let ascending = query.ascending
        let ordered: (Int32, Int32) -> Bool
        switch query.sort {
        case .createdAt:
            ordered = { ascending ? $0 < $1 : $0 > $1 }
        case .updatedAt:
            ordered = { lhs, rhs in
                let left = TimeKey(time: tasks[Int(lhs)].updatedAt.microseconds, slot: lhs)
                let right = TimeKey(time: tasks[Int(rhs)].updatedAt.microseconds, slot: rhs)
                return ascending ? left < right : right < left
            }
        case .dueDate:
            ordered = { lhs, rhs in
                switch (tasks[Int(lhs)].dueDate, tasks[Int(rhs)].dueDate) {
                case (nil, nil): return ascending ? lhs < rhs : lhs > rhs
                case (nil, _): return false
                case (_, nil): return true
                case (let left?, let right?):
                    let leftKey = TimeKey(time: left.microseconds, slot: lhs)
                    let rightKey = TimeKey(time: right.microseconds, slot: rhs)
                    return ascending ? leftKey < rightKey : rightKey < leftKey
                }
            }
        case .priority:
            ordered = { lhs, rhs in
                let left = (tasks[Int(lhs)].priority.rank, lhs)
                let right = (tasks[Int(rhs)].priority.rank, rhs)
                return ascending ? left < right : right < left
            }
        }
        let sorted = matches.sorted(by: ordered)
        guard query.offset < sorted.count else { return [] }
        return Array(sorted[query.offset..<min(sorted.count, query.offset + query.limit)])
    }
}
