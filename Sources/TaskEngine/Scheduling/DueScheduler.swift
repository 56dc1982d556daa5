/// The state of the engine's one due-date scheduler (see ``Engine/startScheduler()``): the plan, the one
/// timer, and who waits for it to go idle. Owned by the ``Engine`` actor.
struct DueScheduler: Sendable {
    /// Where the scheduler is in its life.
    enum Phase: Sendable {
        /// ``Engine/startScheduler()`` was not called: nothing is planned and nothing fires.
        case notStarted
        case running
        /// Stopped for good: by ``Engine/stopScheduler()`` or because a commit failed (the store failed).
        case stopped
    }

    /// The most reminder events committed in one journal record.
    static let batchSize = 1000

    var phase = Phase.notStarted
    /// Each open task's next reminder time.
    var queue = DeadlineQueue()
    /// The one sleeping timer, when one is armed.
    var timer: Task<Void, Never>?
    /// The time the armed timer wakes at (microseconds); `nil` when none is armed.
    var armedFor: Int64?
    /// Counts timers armed, so a timer replaced while it was waking does nothing.
    var generation = 0
    /// Whether a firing pass is running (it yields between batches); timers wait for it to end.
    var firing = false
    /// Callers of ``Engine/schedulerSettled()`` waiting for the end of a firing pass.
    var idleWaiters: [CheckedContinuation<Void, Never>] = []
}
