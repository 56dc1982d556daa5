import TaskStore

extension Engine {
    /// The reminder lead a server has unless told otherwise (`--remind-before-minutes`): 60 minutes.
    package static let standardReminderLeadSeconds: Int64 = 3600

    // MARK: Life

    /// Starts the due-date scheduler: plans the next reminder of every open task with a due date, fires
    /// everything already due (a server that was down when due dates passed catches up here, after the
    /// journal replay), and returns; from then on one timer sleeps until the earliest planned time.
    ///
    /// Every task write re-plans its task in O(log n) (``planReminder(for:)``). Reminders fire in batches
    /// of at most ``DueScheduler/batchSize`` events, each batch one journal record, yielding to clients
    /// between batches. The scheduler commits through the same path as a client, but never on a client's
    /// behalf, so it can neither block nor fail a client's write; when a commit fails (the store failed)
    /// it stops quietly. Calling it again does nothing.
    package func startScheduler() async {
        guard dueScheduler.phase == .notStarted else { return }
        dueScheduler.phase = .running
        planAllReminders()
        await fireDueReminders()
    }

    /// Stops the scheduler for good: the timer is cancelled and nothing fires any more (before the store
    /// closes at shutdown).
    package func stopScheduler() {
        dueScheduler.phase = .stopped
        dueScheduler.timer?.cancel()
        dueScheduler.timer = nil
        dueScheduler.armedFor = nil
        dueScheduler.queue.removeAll()
        resumeIdleWaiters()
    }

    /// Plans every task's reminders again, for a change of what ``EngineState/reminderLeadSeconds(for:)``
    /// reads (a user's reminder lead); O(n log n) in the tasks with a due date.
    package func replanReminders() {
        guard dueScheduler.phase == .running else { return }
        planAllReminders()
        dueScheduler.timer?.cancel()
        dueScheduler.timer = nil
        dueScheduler.armedFor = nil
        armTimer()
    }

    /// Re-plans the tasks assigned to `user`, whose reminder lead follows that user's notification
    /// configuration: O(k log n) for their k tasks.
    package func replanReminders(assignedTo user: UserID) {
        guard dueScheduler.phase == .running else { return }
        for slot in state.tasks.slots(assignedTo: user) {
            planReminder(for: state.tasks.task(at: slot))
        }
    }

    /// Changes the server-wide reminder lead (`nil` or 0: no `task_due_soon`) and re-plans every task.
    package func setDefaultReminderLead(seconds: Int64?) {
        state.defaultReminderLeadSeconds = seconds
        replanReminders()
    }

    /// Returns once the scheduler has fired every reminder due at the clock's current time, at once when it
    /// is not running: the signal tests wait on after moving a ``ManualTimeSource``.
    package func schedulerSettled() async {
        while dueScheduler.phase == .running, dueScheduler.firing || reminderDueNow {
            await withCheckedContinuation { dueScheduler.idleWaiters.append($0) }
        }
    }

    /// The number of tasks with a planned reminder.
    package var plannedReminderCount: Int { dueScheduler.queue.count }

    /// When the one timer wakes, when one is armed.
    package var reminderTimerDeadline: Timestamp? { dueScheduler.armedFor.map(Timestamp.init(microseconds:)) }

    // MARK: Planning

    /// Plans a task's next reminder after a commit left it so: O(log n); re-arms the timer when the task's
    /// time comes before the armed one.
    func planReminder(for task: TaskItem) {
        guard dueScheduler.phase == .running, let slot = state.tasks.slot(of: task.id) else { return }
        let time = DueReminder.nextTime(of: task, lead: state.reminderLeadSeconds(for: task))
        dueScheduler.queue.plan(slot, at: time)
        if let time, dueScheduler.armedFor.map({ time < $0 }) ?? true { armTimer() }
    }

    private var reminderDueNow: Bool {
        guard let first = dueScheduler.queue.first else { return false }
        return first.time <= clock.now().microseconds
    }

    private func planAllReminders() {
        var deadlines: [Deadline] = []
        state.tasks.forEachSlotWithDueDate { slot in
            let task = state.tasks.task(at: slot)
            if let time = DueReminder.nextTime(of: task, lead: state.reminderLeadSeconds(for: task)) {
                deadlines.append(Deadline(time: time, slot: slot))
            }
        }
        dueScheduler.queue.replaceAll(with: deadlines)
    }

    // MARK: The timer

    /// Makes the one timer sleep until the earliest planned time, replacing a later one; with nothing
    /// planned, no timer sleeps.
    private func armTimer() {
        guard dueScheduler.phase == .running, !dueScheduler.firing else { return }
        guard let next = dueScheduler.queue.first else {
            dueScheduler.timer?.cancel()
            dueScheduler.timer = nil
            dueScheduler.armedFor = nil
            return
        }
        if let armed = dueScheduler.armedFor, armed <= next.time { return }
        dueScheduler.timer?.cancel()
        dueScheduler.generation += 1
        let generation = dueScheduler.generation
        dueScheduler.armedFor = next.time
        let clock = self.clock
        let deadline = Timestamp(microseconds: next.time)
        dueScheduler.timer = Task.detached { [weak self] in
            do { try await clock.sleep(until: deadline) } catch { return }
            await self?.timerFired(generation: generation)
        }
    }

    private func timerFired(generation: Int) async {
        guard generation == dueScheduler.generation, dueScheduler.phase == .running else { return }
        dueScheduler.timer = nil
        dueScheduler.armedFor = nil
        await fireDueReminders()
    }

    // MARK: Firing

    /// Fires every reminder due now, a batch at a time, then re-arms the timer and wakes those waiting for
    /// the scheduler to settle. Only one pass runs at a time.
    private func fireDueReminders() async {
        guard dueScheduler.phase == .running, !dueScheduler.firing else { return }
        dueScheduler.firing = true
        // Actors are reentrant: clients' writes run between batches, and re-plan as usual.
        while fireBatch() == DueScheduler.batchSize { await Task.yield() }
        dueScheduler.firing = false
        armTimer()
        resumeIdleWaiters()
    }

    /// Commits up to one batch of due reminders as one record; returns how many it committed (0 when
    /// nothing was due or the commit failed, which stops the scheduler).
    private func fireBatch() -> Int {
        guard dueScheduler.phase == .running else { return 0 }
        let now = clock.now()
        let at = state.eventTime(now: now)
        var events: [Event] = []
        var seq = state.lastSeq
        while events.count < DueScheduler.batchSize, let next = dueScheduler.queue.first,
            next.time <= now.microseconds
        {
            _ = dueScheduler.queue.popFirst()
            let task = state.tasks.task(at: next.slot)
            let lead = state.reminderLeadSeconds(for: task)
            guard let type = DueReminder.dueType(of: task, lead: lead, now: now) else {
                // Planned under an older lead: plan it as it stands now.
                dueScheduler.queue.plan(next.slot, at: DueReminder.nextTime(of: task, lead: lead))
                continue
            }
            seq += 1
            events.append(DueReminder.event(type, for: task, lead: lead, seq: seq, at: at))
        }
        guard !events.isEmpty else { return 0 }
        do {
            _ = try commitGroup(events)
        } catch {
            // The store failed (or the engine refused its own event): the engine stops writing; so do we.
            stopScheduler()
            return 0
        }
        return events.count
    }

    private func resumeIdleWaiters() {
        let waiters = dueScheduler.idleWaiters
        dueScheduler.idleWaiters = []
        for waiter in waiters { waiter.resume() }
    }
}
