extension Engine {
    /// A page of the event feed: events after a cursor, oldest first.
    package struct FeedPage: Sendable {
        package var events: [FeedEvent]
        /// Where the next page starts: the last event returned, or the position the read reached.
        package var nextCursor: FeedCursor
        /// Whether durable events remain after ``nextCursor``.
        package var hasMore: Bool
    }

    /// The cursor older than which the feed no longer serves, when it keeps the newest `retention`
    /// commits: the position after commit `published - retention`.
    package nonisolated func oldestCursor(retention: Int) -> FeedCursor {
        let published = feed.publishedSeq
        let kept = UInt64(max(1, retention))
        return .after(commit: published > kept ? published - kept : 0)
    }

    /// Up to `limit` feed events after `cursor` among durable commits, oldest first, with each task event's
    /// object rebuilt as that commit left the task.
    ///
    /// Only commits up to ``EventFeed/publishedSeq`` are read, so a page never shows an event before a
    /// subscriber could have received it. `types`, when given, keeps those types only (the cursor still
    /// moves past the others). At most `scanLimit` commits are read per call, so a page over a stretch of
    /// internal events returns early with `hasMore`.
    ///
    /// - Throws: ``EngineError/cursorExpired(oldest:)`` when `cursor` is older than the retention.
    package func feedEvents(
        after cursor: FeedCursor, limit: Int, types: Set<FeedEventType>? = nil, retention: Int,
        through last: UInt64? = nil, for caller: Caller = .system, scanLimit: Int = 100_000
    ) throws(EngineError) -> FeedPage {
        try authorize(.read, caller)
        let oldest = oldestCursor(retention: retention)
        guard cursor >= oldest else { throw .cursorExpired(oldest: oldest.description) }
        let end = min(last ?? feed.publishedSeq, feed.publishedSeq, state.lastSeq)
        var events: [FeedEvent] = []
        var position = cursor
        var folds: [TaskID: (state: EngineState, seq: UInt64)] = [:]
        var seq = cursor.index == FeedCursor.endOfCommit ? cursor.seq + 1 : cursor.seq
        var scanned = 0
        commits: while seq <= end, events.count < limit, scanned < scanLimit {
            scanned += 1
            let event = try Event(bytes: Array(state.log.bytes(at: Int(seq) - 1)))
            var task: TaskItem?
            if let id = event.taskID, !event.isInternal {
                task = try taskState(id, at: seq, folds: &folds)
            }
            for feedEvent in FeedEvent.events(of: event, task: task) where feedEvent.cursor > cursor {
                if events.count == limit { break commits }
                position = feedEvent.cursor
                if types.map({ $0.contains(feedEvent.type) }) ?? true { events.append(feedEvent) }
            }
            position = .after(commit: seq)
            seq += 1
        }
        let hasMore = position < .after(commit: end)
        return FeedPage(events: events, nextCursor: position, hasMore: hasMore)
    }

    /// The task as commit `seq` left it, folded from its history; `folds` keeps the fold of each task a page
    /// visits, so consecutive events of one task fold only what lies between them.
    func taskState(
        _ id: TaskID, at seq: UInt64, folds: inout [TaskID: (state: EngineState, seq: UInt64)]
    ) throws(EngineError) -> TaskItem? {
        guard let slot = state.tasks.slot(of: id) else { return nil }
        var fold = folds[id] ?? (EngineState(), 0)
        for index in state.log.indexes(ofSlot: slot) {
            let eventSeq = UInt64(index + 1)
            guard eventSeq > fold.seq else { continue }
            guard eventSeq <= seq else { break }
            try fold.state.fold(try Event(bytes: Array(state.log.bytes(at: index))))
            fold.seq = eventSeq
        }
        folds[id] = fold
        return fold.state.tasks.slot(of: id).map(fold.state.tasks.task(at:))
    }
}

extension EngineState {
    /// Applies an event of one task to a state that holds only that task's earlier events: the event is
    /// renumbered to follow the state's own last `seq`, and goes through the same ledgers as a replay.
    mutating func fold(_ event: Event) throws(EngineError) {
        var renumbered = event
        renumbered.seq = lastSeq + 1
        routesNotifications = false
        try apply(renumbered, bytes: [])
    }
}
