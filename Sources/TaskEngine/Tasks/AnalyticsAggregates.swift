/// The running aggregates behind `tasks.analytics`: tallies of every live task, of each assignee's, each
/// bot's (`context.bot_id`) and each tag's tasks, and of each block of ``blockSize`` slots, plus the slots of
/// each bot's tasks.
///
/// The task ledger keeps them in step with every change it applies or loads, so an analytics call without
/// a time window and with at most one filter reads one tally, and a time window reads the tallies of the
/// blocks it covers whole and visits only the tasks of the two blocks at its edges. They are derived state:
/// rebuilt while the tasks load, never written to a snapshot.
struct AnalyticsAggregates: Sendable {
    /// Slots per block. Slots follow creation order, so a block is a run of tasks created one after another.
    static let blockSize = 8192

    private(set) var all = AnalyticsTally()
    private(set) var byAssignee: [UserID: AnalyticsTally] = [:]
    /// Tasks without an assignee.
    private(set) var unassigned = AnalyticsTally()
    private(set) var byBot: [String: AnalyticsTally] = [:]
    private(set) var byTag: [String: AnalyticsTally] = [:]
    /// Block `b` tallies the live tasks of slots `b * blockSize ..< (b + 1) * blockSize`.
    private(set) var blocks: [AnalyticsTally] = []
    /// The live slots of each bot's tasks, ascending (the task indexes have none by bot).
    private(set) var slotsByBot: [String: SortedChunks<Int32>] = [:]

    /// A task's `context.bot_id`, read through a collection without copying the task out.
    static func botID<Tasks: RandomAccessCollection<TaskItem>>(_ tasks: Tasks, _ index: Int) -> String?
    where Tasks.Index == Int {
        for entry in tasks[index].context where entry.key == "bot_id" { return entry.value }
        return nil
    }

    /// A task's `context.bot_id`.
    static func botID(of task: TaskItem) -> String? { botID(CollectionOfOne(task), 0) }

    /// Whether a change from `old` to `new` changes any figure: the fields analytics reads.
    static func differs(_ old: TaskItem, _ new: TaskItem) -> Bool {
        old.status != new.status || old.priority != new.priority || old.assignee != new.assignee
            || old.tags != new.tags || old.completedAt != new.completedAt || old.createdAt != new.createdAt
            || botID(of: old) != botID(of: new) || AnalyticsOverdue.differs(old, new)
    }

    /// Adds a live task.
    mutating func insert(_ task: TaskItem, at slot: Int32) {
        all.insert(task, at: slot)
        if let assignee = task.assignee {
            byAssignee[assignee, default: AnalyticsTally()].insert(task, at: slot)
        } else {
            unassigned.insert(task, at: slot)
        }
        if let bot = Self.botID(of: task) {
            byBot[bot, default: AnalyticsTally()].insert(task, at: slot)
            slotsByBot[bot, default: SortedChunks()].insert(slot)
        }
        for tag in task.tags { byTag[tag, default: AnalyticsTally()].insert(task, at: slot) }
        let block = Int(slot) / Self.blockSize
        while blocks.count <= block { blocks.append(AnalyticsTally()) }
        blocks[block].insert(task, at: slot)
    }

    /// Takes away a live task (deleted, or about to be re-added as it changed).
    mutating func remove(_ task: TaskItem, at slot: Int32) {
        all.remove(task, at: slot)
        if let assignee = task.assignee {
            Self.remove(task, at: slot, key: assignee, from: &byAssignee)
        } else {
            unassigned.remove(task, at: slot)
        }
        if let bot = Self.botID(of: task) {
            Self.remove(task, at: slot, key: bot, from: &byBot)
            if var slots = slotsByBot.removeValue(forKey: bot) {
                slots.remove(slot)
                if !slots.isEmpty { slotsByBot[bot] = slots }
            }
        }
        for tag in task.tags { Self.remove(task, at: slot, key: tag, from: &byTag) }
        let block = Int(slot) / Self.blockSize
        if block < blocks.count { blocks[block].remove(task, at: slot) }
    }

    /// Moves a live task from its old to its new figures, when any figure changes.
    mutating func update(from old: TaskItem, to new: TaskItem, at slot: Int32) {
        guard Self.differs(old, new) else { return }
        remove(old, at: slot)
        insert(new, at: slot)
    }

    /// Takes a task out of a group's tally, dropping the tally when the group is left empty (so the groups
    /// are exactly those with live tasks, however they got there).
    private static func remove<Key: Hashable>(
        _ task: TaskItem, at slot: Int32, key: Key, from tallies: inout [Key: AnalyticsTally]
    ) {
        guard var tally = tallies.removeValue(forKey: key) else { return }
        tally.remove(task, at: slot)
        if !tally.isEmpty { tallies[key] = tally }
    }
}
