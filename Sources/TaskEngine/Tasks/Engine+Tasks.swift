package import JSON
import TaskStore

extension Engine {
    // MARK: Writes

    /// Creates a task, or returns the original one when the caller retries with the same idempotency key
    /// and params. Reusing a key with different params is ``EngineError/idempotencyConflict(key:taskID:)``.
    package func create(_ input: NewTask, by caller: Caller) throws(EngineError) -> Committed<CreatedTask> {
        try authorize(.create, caller)
        let now = clock.now()
        let title = try Validator.title(input.title)
        let description = try input.description.map(Validator.description)
        let priority = try input.priority.map(Validator.priority) ?? .medium
        let assignee = try input.assignee.map(Validator.assignee)
        let tags = try Validator.tags(input.tags)
        let context = try input.context.map(Validator.context) ?? []
        let due = try input.dueDate.map { (input) throws(EngineError) in
            try Validator.time(input, field: "due_date", error: "invalid_due_date")
        }
        var fingerprint: String?
        if let key = input.idempotencyKey {
            _ = try Validator.nonEmpty(key, "idempotency_key", TaskLimits.idempotencyKeyLength)
            let canonical: JSONValue = [
                "title": .string(title),
                "description": description.map(JSONValue.string) ?? .null,
                "priority": .string(priority.rawValue),
                "assignee": assignee?.json ?? .null,
                "due_date": due.map { .string($0.rfc3339) } ?? .null,
                "tags": .array(tags.map(JSONValue.string)),
                "context": TaskField.contextJSON(context.sorted { $0.key < $1.key }),
            ]
            let print = Validator.fingerprint(JSONWriter.bytes(canonical))
            if let record = state.tasks.idempotencyRecord(user: caller.user, key: key) {
                let original = state.tasks.task(at: record.slot)
                guard record.fingerprint == print else {
                    throw .idempotencyConflict(key: key, taskID: original.id.description)
                }
                guard !original.isDeleted else { throw .taskNotFound(original.id.description) }
                return Committed(CreatedTask(task: original, replayed: true), ticket: store.barrier())
            }
            fingerprint = print
        }
        if let due, due <= now {
            throw .invalidField(field: "due_date", error: "invalid_due_date", message: Validator.dueDateInFuture)
        }
        let at = state.eventTime(now: now)
        var ids = state.tasks.ids
        var task = TaskItem(rawID: ids.next(at: at), title: title, createdAt: at, createdBy: caller.user)
        task.description = description
        task.priority = priority
        task.assignee = assignee
        task.dueDate = due
        task.tags = tags
        task.context = context
        let event = Event(
            seq: state.lastSeq + 1, type: .taskCreated, at: at, actor: caller.user, agent: caller.agent,
            subject: .task(task.id), version: 1, changes: TaskField.creation(of: task),
            idempotencyKey: fingerprint == nil ? nil : input.idempotencyKey, fingerprint: fingerprint
        )
        let (created, ticket) = try commit(event)
        return Committed(CreatedTask(task: created, replayed: false), ticket: ticket)
    }

    /// The live task a write is about, once the caller may do `action` to it and `ifVersion` (when given)
    /// is its current version: the checks every task write makes first, in the same order.
    private func taskToChange(
        _ id: TaskID, _ action: Action, ifVersion: Int?, by caller: Caller
    ) throws(EngineError) -> TaskItem {
        let (_, task) = try state.tasks.liveTask(id)
        try authorize(action, caller, task: task)
        try Validator.ifVersion(ifVersion, task: task)
        return task
    }

    /// Changes fields of a task. Fields equal to their current value are not changes; when nothing changes,
    /// nothing is recorded and `updated` is `false`.
    ///
    /// Status moves follow ``TaskStatus/canMove(to:)``. Moving to `completed` sets `completed_at`,
    /// `completed_by` and `progress` 100 as ``complete(_:_:ifVersion:by:)`` does; reopening clears
    /// `completed_at` and `completed_by`.
    package func update(
        _ id: TaskID, _ patch: TaskPatch, ifVersion: Int? = nil, by caller: Caller
    )
        throws(EngineError) -> Committed<UpdatedTask>
    {
        let old = try taskToChange(id, .update, ifVersion: ifVersion, by: caller)
        guard !patch.isEmpty else { throw .invalid("task_id", "Give at least one field to update.") }
        let now = clock.now()
        let at = state.eventTime(now: now)
        var task = old
        if let title = patch.title { task.title = try Validator.title(title) }
        if let description = patch.description { task.description = try description.map(Validator.description) }
        if let priority = patch.priority { task.priority = try Validator.priority(priority) }
        if let assignee = patch.assignee {
            task.assignee = try assignee.map(Validator.assignee)
        }
        if let due = patch.dueDate {
            task.dueDate = try due.map { (input) throws(EngineError) in
                try Validator.dueDate(input, now: now, current: old.dueDate)
            }
        }
        if let tags = patch.tags { task.tags = try Validator.tags(tags) }
        if let context = patch.context { task.context = try Validator.context(context) }
        if let progress = patch.progress { task.progress = try Validator.progress(progress) }
        if let minutes = patch.timeSpentMinutes { task.timeSpentMinutes = try Validator.minutes(minutes) }
        if let checklist = patch.checklist { task.checklist = try Validator.checklist(checklist) }
        if let checks = patch.check { try Validator.tick(&task.checklist, checks) }
        if let text = patch.status {
            let status = try Validator.status(text)
            if status != old.status {
                guard old.status.canMove(to: status) else {
                    throw .invalidTransition(taskID: id.description, from: old.status, to: status)
                }
                try checkStepMayMove(old, to: status)
                task.status = status
                if status == .completed {
                    task.completedAt = at
                    task.completedBy = caller.user
                    task.progress = 100
                } else if !old.status.isOpen {
                    task.completedAt = nil
                    task.completedBy = nil
                }
            }
        }
        let changes = TaskField.changes(from: old, to: task)
        let changed = changes.keys
        let order = patch.requestOrder
        let updatedFields = changed.enumerated().sorted { lhs, rhs in
            let left = order.firstIndex(of: lhs.element) ?? order.count + lhs.offset
            let right = order.firstIndex(of: rhs.element) ?? order.count + rhs.offset
            return left < right
        }.map(\.element)
        guard !changes.isEmpty else {
            return Committed(UpdatedTask(task: old, updatedFields: []), ticket: store.barrier())
        }
        let type: EventType =
            task.status == .completed && old.status != .completed
            ? .taskCompleted : task.assignee != old.assignee ? .taskAssigned : .taskUpdated
        let event = Event(
            seq: state.lastSeq + 1, type: type, at: at, actor: caller.user, agent: caller.agent,
            subject: .task(id), version: old.version + 1, changes: changes
        )
        let (updated, ticket) = try commitStepChange(event, old: old, new: task)
        return Committed(UpdatedTask(task: updated, updatedFields: updatedFields), ticket: ticket)
    }

    /// Completes an `in_progress` task: sets `completed_at`, `completed_by` and `progress` 100, adds
    /// `time_spent_minutes`, and stores `resolution` and `outcomes` when given. Any other status is an
    /// invalid transition (a pending task must be started first).
    package func complete(
        _ id: TaskID, _ completion: Completion, ifVersion: Int? = nil, by caller: Caller
    )
        throws(EngineError) -> Committed<CompletedTask>
    {
        let old = try taskToChange(id, .complete, ifVersion: ifVersion, by: caller)
        guard old.status == .inProgress else {
            throw .invalidTransition(taskID: id.description, from: old.status, to: .completed)
        }
        try checkStepMayMove(old, to: .completed)
        let resolution = try completion.resolution.map { (text) throws(EngineError) in
            try Validator.length(text, "resolution", TaskLimits.resolutionLength)
            return text
        }
        let minutes = try completion.timeSpentMinutes.map(Validator.minutes) ?? 0
        let outcomes = try completion.outcomes.map(Validator.outcomes)
        let at = state.eventTime(now: clock.now())
        var task = old
        task.status = .completed
        task.completedAt = at
        task.completedBy = caller.user
        task.progress = 100
        task.timeSpentMinutes = old.timeSpentMinutes + minutes
        if let resolution { task.resolution = resolution }
        if let outcomes { task.outcomes = outcomes }
        let event = Event(
            seq: state.lastSeq + 1, type: .taskCompleted, at: at, actor: caller.user, agent: caller.agent,
            subject: .task(id), version: old.version + 1, changes: TaskField.changes(from: old, to: task)
        )
        let (completed, ticket) = try commitStepChange(event, old: old, new: task)
        return Committed(CompletedTask(task: completed), ticket: ticket)
    }

    /// Deletes a task: `tasks.get` and `tasks.list` no longer see it; `tasks.history` still answers.
    package func delete(
        _ id: TaskID, ifVersion: Int? = nil, by caller: Caller
    ) throws(EngineError)
        -> Committed<DeletedTask>
    {
        let old = try taskToChange(id, .delete, ifVersion: ifVersion, by: caller)
        try checkStepMayBeDeleted(old)
        let event = Event(
            seq: state.lastSeq + 1, type: .taskDeleted, at: state.eventTime(now: clock.now()), actor: caller.user,
            agent: caller.agent, subject: .task(id), version: old.version + 1, changes: [:]
        )
        let releasedBlobs = state.collaboration.blobKeys(of: old)
        let (deleted, ticket) = try commit(event)
        reclaimBlobs(releasedBlobs, after: ticket)
        return Committed(DeletedTask(taskID: id, version: deleted.version), ticket: ticket)
    }

    // MARK: Reads

    /// A live task.
    package func task(_ id: TaskID, for caller: Caller = .system) throws(EngineError) -> TaskItem {
        let (_, task) = try state.tasks.liveTask(id)
        try authorize(.read, caller, task: task)
        return task
    }

    /// A live task as `tasks.get` returns it, with the assignee expanded through the user directory.
    package func taskDetail(_ id: TaskID, for caller: Caller = .system) throws(EngineError) -> JSONValue {
        try task(id, for: caller).detailJSON(directory: directory)
    }

    /// Renders a task the way `tasks.get` does.
    package func detailJSON(of task: TaskItem) -> JSONValue { task.detailJSON(directory: directory) }

    /// A page of live tasks matching a query, and the number of matches.
    ///
    /// A text search (`q`) has no index and reads every task, which takes a while on large stores: it runs
    /// on a copy of the state on the engine's one search thread (``SearchWorker``), so the engine goes on
    /// serving everyone else meanwhile. The copy is cheap, and the answer is exactly the state when the
    /// search got its place in the worker's queue (at most ``SearchWorker/capacity`` wait there; later
    /// searches wait for a place first).
    package func list(_ query: TaskQuery, for caller: Caller = .system) async throws(EngineError) -> TaskPage {
        try authorize(.read, caller)
        let resolved = try ResolvedQuery(query)
        guard resolved.search != nil else { return Self.page(of: state, resolved, query) }
        await searches.admit()
        // Taken after the wait, with no suspension before the search is queued: the state as admitted.
        let copy = state
        return await searches.run { Self.page(of: copy, resolved, query) }
    }

    private static func page(of state: EngineState, _ resolved: ResolvedQuery, _ query: TaskQuery) -> TaskPage {
        let result = state.tasks.list(resolved)
        return TaskPage(
            tasks: result.slots.map(state.tasks.task(at:)), total: result.total, page: query.page, limit: query.limit)
    }

    /// Every change of a task, oldest first, also after it was deleted.
    package func history(_ id: TaskID, for caller: Caller = .system) throws(EngineError) -> TaskHistory {
        guard let slot = state.tasks.slot(of: id) else { throw .taskNotFound(id.description) }
        let task = state.tasks.task(at: slot)
        try authorize(.read, caller, task: task)
        var events: [Event] = []
        for index in state.log.indexes(ofSlot: slot) {
            events.append(try Event(bytes: Array(state.log.bytes(at: index))))
        }
        return TaskHistory(taskID: task.id, deleted: task.isDeleted, events: events)
    }
}
