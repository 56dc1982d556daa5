import TaskStore

extension Engine {
    /// Journals several events as one record (see ``JournalRecord``), then applies them; all or nothing.
    ///
    /// Each event is prepared against the state the previous ones leave, on a copy of the state, so an
    /// event that does not fit, or a refused append, leaves the engine unchanged. Right after each task
    /// event, the `task_created` events of the `task_event` automations it fires join the record (see
    /// ``taskEventFirings(of:task:in:ids:cursors:)``), so a change and its firings are kept or lost whole.
    /// The copy costs one pass over the state's storage per group; only workflow writes and task writes
    /// that fire a `task_event` automation commit groups. A group of one is an ordinary record.
    ///
    /// - Returns: the changes of `events` (not of the firings), in order, and the record's ticket.
    func commitGroup(_ events: [Event]) throws(EngineError) -> ([EngineState.Change], CommitTicket) {
        precondition(!events.isEmpty, "a group commits at least one event")
        let firesOnTasks = state.automations.firesOnTaskEvents
        if events.count == 1, firesOnTasks ? try firesNothing(events[0]) : true {
            let (change, ticket) = try commitChange(events[0])
            return ([change], ticket)
        }
        var scratch = state
        // Firings take task ids after every task the given events create, so none can collide.
        var ids = scratch.tasks.ids
        for event in events where event.type == .taskCreated {
            if case .task(let id) = event.subject { ids.observe(id.raw) }
        }
        var cursors: [AutomationID: Int] = [:]
        // Popped from the end: given events in order, each followed at once by the firings it causes.
        var pending: [(event: Event, given: Bool)] = events.reversed().map { ($0, true) }
        var committed: [(event: Event, change: EngineState.Change)] = []
        var givenChanges: [EngineState.Change] = []
        var records: [[UInt8]] = []
        while let next = pending.popLast() {
            var event = next.event
            event.seq = scratch.lastSeq + 1
            let change = try scratch.prepare(event)
            let bytes = event.bytes
            scratch.commit(change, of: event, bytes: bytes)
            committed.append((event, change))
            if next.given { givenChanges.append(change) }
            records.append(bytes)
            guard firesOnTasks, event.type.domain == .tasks, let task = change.task else { continue }
            let firings = taskEventFirings(of: event, task: task, in: scratch, ids: &ids, cursors: &cursors)
            pending.append(contentsOf: firings.reversed().map { ($0, false) })
        }
        let ticket: CommitTicket
        let record = records.count == 1 ? records[0] : JournalRecord.bytes(of: records)
        do { ticket = try store.append(record) } catch { throw .unavailable(error) }
        state = scratch
        for (event, change) in committed {
            if case .identity(let identity) = change { didCommitIdentity(identity) }
            // Every event of the group reaches the feed, in seq order, once the one record is durable.
            feed.committed(event, task: change.task, ticket: ticket)
            if let task = change.task { planReminder(for: task) }
            didCommit(event)
        }
        return (givenChanges, ticket)
    }

    /// Whether a single change fires no `task_event` automation, so it commits without a copy of the state.
    /// Checked on the state as it is: a change of a task leaves the automations alone.
    private func firesNothing(_ event: Event) throws(EngineError) -> Bool {
        guard let task = try state.prepare(event).task else { return true }
        return Self.taskEventMatches(of: event, task: task, in: state).isEmpty
    }
}
