import JSON
import TaskStore

extension Engine {
    /// Whether `caller` may add or remove `userID` as a watcher: anyone may change themselves, only an
    /// administrator may change someone else.
    /// Administrators are the `admin` role, which includes the built-in `system`.
    static func mayChangeWatcher(_ userID: UserID, caller: Caller) -> Bool {
        userID == caller.user || caller.role == .admin
    }

    /// Makes `userID` (the caller by default) watch a live task. Watching twice changes nothing and records
    /// nothing (`changed: false`). Watchers do not change the task's `version` or `updated_at`.
    package func watch(
        _ taskID: TaskID, userID: UserID? = nil, by caller: Caller
    ) throws(EngineError)
        -> Committed<WatchResult>
    {
        try changeWatcher(taskID, userID: userID, watching: true, by: caller)
    }

    /// Stops `userID` (the caller by default) watching a live task; idempotent like ``watch(_:userID:by:)``.
    package func unwatch(
        _ taskID: TaskID, userID: UserID? = nil, by caller: Caller
    ) throws(EngineError)
        -> Committed<WatchResult>
    {
        try changeWatcher(taskID, userID: userID, watching: false, by: caller)
    }

    private func changeWatcher(
        _ taskID: TaskID, userID: UserID?, watching: Bool, by caller: Caller
    ) throws(EngineError) -> Committed<WatchResult> {
        let (_, task) = try state.tasks.liveTask(taskID)
        let user =
            try userID.map { (id) throws(EngineError) in try CollaborationValidator.userID(id, field: "user_id") }
            ?? caller.user
        // Anyone may stop watching, also a task they could not have started watching themselves (an
        // administrator added them); every other change needs the right to watch the task.
        if watching || user != caller.user { try authorize(.watch, caller, task: task) }
        guard Self.mayChangeWatcher(user, caller: caller) else {
            throw .permissionDenied("Only an administrator may add or remove another user as a watcher")
        }
        guard task.watchers.contains(user) != watching else {
            let result = WatchResult(
                taskID: task.id, userID: user, watching: watching, changed: false, watchers: task.watchers)
            return Committed(result, ticket: store.barrier())
        }
        var watchers = task.watchers
        if watching {
            guard watchers.count < CollaborationLimits.watcherCount else {
                throw .invalid("user_id", "A task has at most \(CollaborationLimits.watcherCount) watchers.")
            }
            watchers.append(user)
        } else {
            watchers.removeAll { $0 == user }
        }
        let event = Event(
            seq: state.lastSeq + 1, type: watching ? .watcherAdded : .watcherRemoved,
            at: state.eventTime(now: clock.now()), actor: caller.user, agent: caller.agent,
            subject: .task(task.id), version: task.version,
            changes: [
                "watchers": [
                    "old": .array(task.watchers.map(\.json)), "new": .array(watchers.map(\.json)),
                ]
            ],
            detail: user.json
        )
        let (updated, ticket) = try commit(event)
        let result = WatchResult(
            taskID: updated.id, userID: user, watching: watching, changed: true, watchers: updated.watchers)
        return Committed(result, ticket: ticket)
    }
}
