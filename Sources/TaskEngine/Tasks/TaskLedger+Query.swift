import Foundation

extension TaskLedger {
    /// Where candidate tasks come from: every live task, the union of some per-value sets, a due-date range,
    /// an intersection of sets, or the candidates of a text search.
    private enum Driver {
        case all
        case sets([SortedChunks<Int32>])
        case dueRange
        /// Slots in ascending order: the intersection of several per-value sets.
        case sorted([Int32])
        /// The tasks the text index says may hold the search text.
        case candidates(SlotSet)

        /// Whether walking this driver in slot order is walking its tasks in creation order.
        var isSingleOrderedSet: Bool {
            switch self {
            case .sets(let sets): return sets.count == 1
            case .sorted, .candidates: return true
            case .all, .dueRange: return false
            }
        }
    }

    /// A way to find the matches and what it promises.
    private struct Candidate {
        var driver: Driver
        /// The number of tasks that satisfy the conditions this driver covers.
        var count: Int
        /// How many of the query's conditions every task the driver yields is known to satisfy (0 when
        /// its tasks only may satisfy one, as a text search's candidates).
        var covers: Int
    }

    /// A query's filters, with the text search answered through the text index when it has a plan.
    struct ListFilter {
        /// The filters still checked task by task (without `search` when `plan` answers it).
        var residual: ResolvedQuery
        /// The search text, when `plan` answers it.
        var needle: String?
        var plan: TextIndex.Plan?
    }

    /// Whether the live task in `slot` passes every filter.
    private func accepts(_ filter: ListFilter, _ slot: Int32) -> Bool {
        guard filter.residual.matches(tasks, Int(slot)) else { return false }
        guard let needle = filter.needle else { return true }
        if let plan = filter.plan {
            guard plan.candidates.contains(slot) else { return false }
            if plan.exact, !text.irregular.contains(slot) { return true }
        }
        return ResolvedQuery.textMatches(tasks, Int(slot), needle)
    }

    /// The page of live tasks a query selects, and how many tasks match in all.
    ///
    /// Picks the most selective index as the driver: a per-value set, the intersection of several (smallest
    /// first, galloping), or the candidates of a text search (``TextIndex``). When the total is known from
    /// index sizes alone, it walks the sort order and stops after the page; otherwise it counts along the
    /// driver and either walks the sort order or sorts the (few) matches, whichever the counts say is
    /// cheaper. Nothing scans and sorts every task per page, except a search the text index cannot narrow.
    func list(_ query: ResolvedQuery) -> (slots: [Int32], total: Int) {
        var filter = ListFilter(residual: query)
        var candidates: [Candidate] = []
        var conditions = 0
        var impossible = false
        func add(_ set: SortedChunks<Int32>) {
            candidates.append(Candidate(driver: .sets([set]), count: set.count, covers: 1))
        }
        if let statuses = query.statuses {
            let sets = TaskStatus.allCases.filter(statuses.contains).map { indexes.byStatus[$0.index] }
            candidates.append(Candidate(driver: .sets(sets), count: sets.reduce(0) { $0 + $1.count }, covers: 1))
            conditions += 1
        }
        if let priorities = query.priorities {
            let sets = TaskPriority.allCases.filter(priorities.contains).map { indexes.byPriority[$0.rank] }
            candidates.append(Candidate(driver: .sets(sets), count: sets.reduce(0) { $0 + $1.count }, covers: 1))
            conditions += 1
        }
        if let assignee = query.assignee {
            if let set = indexes.byAssignee[assignee] { add(set) } else { impossible = true }
            conditions += 1
        }
        if query.unassigned {
            add(indexes.unassigned)
            conditions += 1
        }
        for tag in query.tags {
            if let set = indexes.byTag[tag] { add(set) } else { impossible = true }
            conditions += 1
        }
        if query.hasDueRange {
            let lower = query.dueFrom.map { TimeKey(time: $0, slot: .min) }
            let upper = query.dueTo.map { TimeKey(time: $0, slot: .min) }
            if let from = query.dueFrom, let to = query.dueTo, from >= to {
                impossible = true
            } else {
                candidates.append(
                    Candidate(driver: .dueRange, count: indexes.byDueDate.count(from: lower, to: upper), covers: 1))
            }
            conditions += 1
        }
        if query.overdue {
            add(indexes.overdue)
            conditions += 1
        }
        if let needle = query.search {
            conditions += 1
            if !impossible, let plan = text.plan(needle) {
                filter.residual.search = nil
                filter.needle = needle
                filter.plan = plan
                candidates.append(searchCandidate(plan, needle))
            }
        }
        // Residual filters without an index: they only narrow the candidates the other conditions give.
        if query.updatedFrom != nil { conditions += 1 }
        if query.createdBy != nil { conditions += 1 }
        if impossible { return ([], 0) }
        if let intersection = intersectSingleSets(candidates) { candidates.append(intersection) }

        let chosen =
            candidates.min { ($0.count, -$0.covers) < ($1.count, -$1.covers) }
            ?? Candidate(driver: .all, count: indexes.live.count, covers: 0)
        let driver = chosen.driver
        let driverCount = chosen.count
        let wanted = query.offset + query.limit
        var exactTotal: Int?
        if conditions == 0 {
            exactTotal = indexes.live.count
        } else if chosen.covers == conditions {
            exactTotal = driverCount
        }

        if let total = exactTotal {
            guard query.offset < total else { return ([], total) }
            if query.sort == .createdAt, driver.isSingleOrderedSet || conditions == 0 {
                return (walkDriverInOrder(driver, query, filter, countAll: false).slots, total)
            }
            let walkCost = Double(wanted) * Double(indexes.live.count) / Double(max(total, 1))
            let sortCost = Double(driverCount) + Double(total) * log2(Double(max(total, 2)))
            if walkCost <= sortCost, let page = walkSortOrder(query, filter, budget: Int(sortCost)) {
                return (page, total)
            }
            return (sortMatches(collect(driver, filter), query), total)
        }

        if query.sort == .createdAt, driver.isSingleOrderedSet || candidates.isEmpty {
            return walkDriverInOrder(driver, query, filter, countAll: true)
        }
        let matches = collect(driver, filter)
        let total = matches.count
        guard query.offset < total else { return ([], total) }
        let walkCost = Double(wanted) * Double(indexes.live.count) / Double(max(total, 1))
        let sortCost = Double(total) * log2(Double(max(total, 2)))
        if walkCost <= sortCost, let page = walkSortOrder(query, filter, budget: Int(sortCost)) {
            return (page, total)
        }
        return (sortMatches(matches, query), total)
    }

    /// The page and total a scan of every live task gives: the reference the indexed paths must equal.
    func scanList(_ query: ResolvedQuery) -> (slots: [Int32], total: Int) {
        let matches = collect(.all, ListFilter(residual: query))
        return (sortMatches(matches, query), matches.count)
    }

    /// A text search's candidates as a driver. When the plan is exact, the count is the number of matches:
    /// the candidates less the irregular ones whose text does not hold the needle.
    private func searchCandidate(_ plan: TextIndex.Plan, _ needle: String) -> Candidate {
        guard plan.exact else {
            return Candidate(driver: .candidates(plan.candidates), count: plan.candidates.count, covers: 0)
        }
        let unsure = plan.candidates.intersection(text.irregular)
        var confirmed = 0
        unsure.forEach { slot in
            if ResolvedQuery.textMatches(tasks, Int(slot), needle) { confirmed += 1 }
            return true
        }
        return Candidate(
            driver: .candidates(plan.candidates), count: plan.candidates.count - unsure.count + confirmed, covers: 1)
    }

    /// The intersection of the single per-value sets (one tag, assignee, ...) that are within a factor of
    /// the smallest, when there are two or more: larger ones are cheaper to check task by task.
    private func intersectSingleSets(_ candidates: [Candidate]) -> Candidate? {
        var sets: [SortedChunks<Int32>] = []
        for candidate in candidates {
            if case .sets(let group) = candidate.driver, group.count == 1, let set = group.first { sets.append(set) }
        }
        guard sets.count >= 2, let smallest = sets.map(\.count).min() else { return nil }
        let chosen = sets.filter { $0.count <= 32 * max(smallest, 1) }
        guard chosen.count >= 2 else { return nil }
        let slots = Self.intersect(chosen.map(\.elements))
        return Candidate(driver: .sorted(slots), count: slots.count, covers: chosen.count)
    }

    /// The elements common to ascending arrays: the smallest first, each next one searched by galloping
    /// from where the last match was found.
    static func intersect(_ arrays: [[Int32]]) -> [Int32] {
        let ordered = arrays.sorted { $0.count < $1.count }
        guard var result = ordered.first else { return [] }
        for other in ordered.dropFirst() {
            var kept: [Int32] = []
            var start = 0
            for slot in result {
                start = lowerBound(of: slot, in: other, from: start)
                if start == other.count { break }
                if other[start] == slot { kept.append(slot) }
            }
            result = kept
            if result.isEmpty { break }
        }
        return result
    }

    /// The first position at or after `start` whose element is not below `element`, found by doubling
    /// steps and then a binary search.
    private static func lowerBound(of element: Int32, in array: [Int32], from start: Int) -> Int {
        var low = start
        var high = start
        var step = 1
        while high < array.count, array[high] < element {
            low = high + 1
            high = low + step
            step <<= 1
        }
        high = min(high, array.count)
        while low < high {
            let middle = (low + high) / 2
            if array[middle] < element { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Calls `body` with the driver's slots in slot order (a single set, an intersection, search candidates
    /// or every live task) until it returns `false`.
    private func forEachInOrder(_ driver: Driver, ascending: Bool, _ body: (Int32) -> Bool) {
        switch driver {
        case .sets(let sets) where sets.count == 1: sets[0].forEach(ascending: ascending, body)
        case .sorted(let slots):
            if ascending {
                for slot in slots where !body(slot) { return }
            } else {
                for slot in slots.reversed() where !body(slot) { return }
            }
        case .candidates(let set): set.forEach(ascending: ascending, body)
        default: indexes.live.forEach(ascending: ascending, body)
        }
    }

    /// Walks a single ordered driver (or all live tasks) in slot order, which is creation order.
    private func walkDriverInOrder(
        _ driver: Driver, _ query: ResolvedQuery, _ filter: ListFilter, countAll: Bool
    )
        -> (slots: [Int32], total: Int)
    {
        var page: [Int32] = []
        var seen = 0
        forEachInOrder(driver, ascending: query.ascending) { slot in
            guard accepts(filter, slot) else { return true }
            if seen >= query.offset, page.count < query.limit { page.append(slot) }
            seen += 1
            return countAll || page.count < query.limit
        }
        return (page, seen)
    }

    /// Every slot from the driver that passes the filters, in no particular order.
    private func collect(_ driver: Driver, _ filter: ListFilter) -> [Int32] {
        var matches: [Int32] = []
        let visit: (Int32) -> Bool = { slot in
            if accepts(filter, slot) { matches.append(slot) }
            return true
        }
        switch driver {
        case .all: indexes.live.forEach(visit)
        case .sets(let sets): for set in sets { set.forEach(visit) }
        case .dueRange:
            indexes.byDueDate.forEach(
                from: filter.residual.dueFrom.map { TimeKey(time: $0, slot: .min) },
                to: filter.residual.dueTo.map { TimeKey(time: $0, slot: .min) }
            ) { key in visit(key.slot) }
        case .sorted, .candidates: forEachInOrder(driver, ascending: true, visit)
        }
        return matches
    }

    /// Walks the index of the sort key in the requested order, filtering, until the page is full.
    ///
    /// Gives up (`nil`) after visiting `budget` tasks: the estimate that chose the walk assumes matches are
    /// spread evenly along the order, and when they are not (pending tasks are rarely the recently updated
    /// ones) sorting the matches is cheaper.
    private func walkSortOrder(_ query: ResolvedQuery, _ filter: ListFilter, budget: Int) -> [Int32]? {
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
            guard accepts(filter, slot) else { return true }
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
