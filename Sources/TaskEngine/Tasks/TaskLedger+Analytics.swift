extension TaskLedger {
    /// Where the figures of an analytics query come from.
    private enum AnalyticsSource {
        /// One running tally holds them: no time window and at most one filter.
        case tally(AnalyticsTally)
        /// No task can match (a filter value no live task has).
        case empty
        /// Every live task in the slot range `lower..<upper`: the tallies of the blocks it covers whole, plus
        /// a visit of the tasks at its two edges.
        case window(lower: Int32, upper: Int32)
        /// The slots of `set` in `lower..<upper` (`count` of them), each checked against the filters.
        case visit(set: SortedChunks<Int32>, lower: Int32, upper: Int32, count: Int)
    }

    /// The first slot whose task was created at or after `micros` (slots follow creation order).
    func firstSlot(createdAtOrAfter micros: Int64) -> Int32 {
        var low = 0
        var high = tasks.count
        while low < high {
            let middle = (low + high) / 2
            if tasks[middle].createdAt.microseconds < micros { low = middle + 1 } else { high = middle }
        }
        return Int32(low)
    }

    private func analyticsSource(_ query: ResolvedAnalyticsQuery) -> AnalyticsSource {
        if !query.hasWindow {
            switch query.filterCount {
            case 0: return .tally(analytics.all)
            case 1:
                let tally: AnalyticsTally?
                if let assignee = query.assignee {
                    tally = analytics.byAssignee[assignee]
                } else if query.unassigned {
                    tally = analytics.unassigned
                } else if let bot = query.botID {
                    tally = analytics.byBot[bot]
                } else {
                    tally = query.tags.first.flatMap { analytics.byTag[$0] }
                }
                return tally.map(AnalyticsSource.tally) ?? .empty
            default: break
            }
        }
        let lower = query.from.map(firstSlot(createdAtOrAfter:)) ?? 0
        let upper = query.to.map(firstSlot(createdAtOrAfter:)) ?? Int32(tasks.count)
        guard lower < upper else { return .empty }
        if query.filterCount == 0 { return .window(lower: lower, upper: upper) }
        var sets: [SortedChunks<Int32>?] = []
        if let assignee = query.assignee { sets.append(indexes.byAssignee[assignee]) }
        if query.unassigned { sets.append(indexes.unassigned) }
        if let bot = query.botID { sets.append(analytics.slotsByBot[bot]) }
        for tag in query.tags { sets.append(indexes.byTag[tag]) }
        var best: (set: SortedChunks<Int32>, count: Int)?
        for set in sets {
            guard let set else { return .empty }
            let count = set.count(from: lower, to: upper)
            if count < best?.count ?? .max { best = (set, count) }
        }
        guard let best else { return .window(lower: lower, upper: upper) }
        return .visit(set: best.set, lower: lower, upper: upper, count: best.count)
    }

    /// About how many tasks ``analyticsFigures(_:now:)`` will visit one by one for a query (0 when running
    /// tallies answer it), so the engine can move large visits off the actor.
    func analyticsVisits(_ query: ResolvedAnalyticsQuery) -> Int {
        switch analyticsSource(query) {
        case .tally, .empty: 0
        case .window(let lower, let upper): min(Int(upper - lower), 2 * AnalyticsAggregates.blockSize)
        case .visit(_, _, _, let count): count
        }
    }

    /// The figures of the live tasks a query selects, at `now`.
    func analyticsFigures(_ query: ResolvedAnalyticsQuery, now: Timestamp) -> AnalyticsFigures {
        switch analyticsSource(query) {
        case .tally(let tally):
            return tally.figures(at: now)
        case .empty:
            return AnalyticsFigures()
        case .window(let lower, let upper):
            let size = Int32(AnalyticsAggregates.blockSize)
            let firstWhole = (lower + size - 1) / size
            let endWhole = upper / size
            var figures = AnalyticsFigures()
            guard firstWhole < endWhole else {
                visit(indexes.live, from: lower, to: upper, query, now: now, into: &figures)
                return figures
            }
            visit(indexes.live, from: lower, to: firstWhole * size, query, now: now, into: &figures)
            for block in Int(firstWhole)..<min(Int(endWhole), analytics.blocks.count) {
                figures.merge(analytics.blocks[block].figures(at: now))
            }
            visit(indexes.live, from: endWhole * size, to: upper, query, now: now, into: &figures)
            return figures
        case .visit(let set, let lower, let upper, _):
            var figures = AnalyticsFigures()
            visit(set, from: lower, to: upper, query, now: now, into: &figures)
            return figures
        }
    }

    /// Adds the live tasks of `set` in `lower..<upper` that pass the query's filters.
    private func visit(
        _ set: SortedChunks<Int32>, from lower: Int32, to upper: Int32, _ query: ResolvedAnalyticsQuery,
        now: Timestamp, into figures: inout AnalyticsFigures
    ) {
        guard lower < upper else { return }
        let filtered = query.filterCount > 0
        set.forEach(from: lower, to: upper) { slot in
            let index = Int(slot)
            if filtered, !query.matches(tasks, index) { return true }
            figures.count(tasks, index, sign: 1)
            if analyticsIsOverdue(slot: slot, now: now) { figures.overdue += 1 }
            return true
        }
    }

    /// Figures computed from scratch by visiting every live task, for tests of the running aggregates.
    func analyticsFiguresByScan(_ query: ResolvedAnalyticsQuery, now: Timestamp) -> AnalyticsFigures {
        var figures = AnalyticsFigures()
        for index in tasks.indices where !tasks[index].isDeleted {
            let created = tasks[index].createdAt.microseconds
            if let from = query.from, created < from { continue }
            if let to = query.to, created >= to { continue }
            guard query.matches(tasks, index) else { continue }
            figures.count(tasks, index, sign: 1)
            if analyticsIsOverdue(tasks[index], now: now) { figures.overdue += 1 }
        }
        return figures
    }
}
