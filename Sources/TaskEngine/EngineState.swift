import JSON

/// All engine state, as one value: the actor ``Engine`` owns one, and a snapshot captures a copy of it.
///
/// It holds one ledger per domain, the event log and the newest `seq` and event time, and knows no
/// domain's fields: every event goes to the ledger that owns its type (``EventType/domain``), through
/// ``prepare(_:)`` and ``commit(_:of:bytes:)`` for live mutations and journal replay alike, so a replayed
/// engine is the same as the one that wrote the journal. Every committed change of every domain has one
/// `seq` and is appended to the one ``EventLog``, which feeds history, catch-up reads and subscriptions.
struct EngineState: Sendable {
    /// An event checked by its ledger, ready to be committed without failing.
    enum Change: Sendable {
        case tasks(TaskLedger.Change)
        case collaboration(CollaborationLedger.Change)
        case identity(IdentityLedger.Change)
        case workflows(WorkflowLedger.Change)
        case templates(TemplateLedger.Change)
        case automations(AutomationLedger.Change)
        case notifications(NotificationLedger.Change)

        /// The task as the change leaves it, for changes of a task (tasks and collaboration).
        var task: TaskItem? {
            switch self {
            case .tasks(let change): change.new
            case .collaboration(let change): change.task.new
            case .identity, .workflows, .templates, .automations, .notifications: nil
            }
        }
    }

    /// Tasks, their indexes, idempotency keys and the task id generator.
    private(set) var tasks = TaskLedger()
    /// Comments, attachments and watchers.
    private(set) var collaboration = CollaborationLedger()
    /// Users and tokens.
    private(set) var identity = IdentityLedger()
    /// Workflows and their steps.
    private(set) var workflows = WorkflowLedger()
    /// Task templates.
    private(set) var templates = TemplateLedger()
    /// Automations and their firings.
    private(set) var automations = AutomationLedger()
    /// Notification configurations, inboxes and pending deliveries.
    private(set) var notifications = NotificationLedger()
    /// Whether committed events are routed to inboxes; off for the scratch states that fold one task's
    /// history for the feed.
    var routesNotifications = true
    /// Every committed event, with each task's history chain.
    private(set) var log = EventLog()
    /// The newest event's `seq` (0 before the first).
    private(set) var lastSeq: UInt64 = 0
    /// The newest event's time, so event times never go backwards.
    private(set) var lastEventAt = Timestamp.minimum
    /// The server-wide reminder lead in seconds (`--remind-before-minutes`), `nil` when reminders are off;
    /// a setting of the running server, never persisted (see ``reminderLeadSeconds(for:)``).
    var defaultReminderLeadSeconds: Int64? = Engine.standardReminderLeadSeconds

    /// The time the next event gets: now, but never before the previous event.
    func eventTime(now: Timestamp) -> Timestamp { max(now, lastEventAt) }

    // MARK: Applying events

    /// Checks an event against the state through the ledger that owns it, changing nothing.
    func prepare(_ event: Event) throws(EngineError) -> Change {
        guard event.seq == lastSeq + 1 else {
            throw .damaged("event \(event.seq) follows event \(lastSeq)")
        }
        switch event.type.domain {
        case .tasks: return .tasks(try tasks.prepare(event, in: self))
        case .collaboration: return .collaboration(try collaboration.prepare(event, in: self))
        case .identity: return .identity(try identity.prepare(event, in: self))
        case .workflows: return .workflows(try workflows.prepare(event, in: self))
        case .templates: return .templates(try templates.prepare(event, in: self))
        case .automations: return .automations(try automations.prepare(event, in: self))
        case .notifications: return .notifications(try notifications.prepare(event, in: self))
        }
    }

    /// Commits a prepared change: its ledger applies it (a collaboration change also hands the task change
    /// it implies to the tasks ledger), the other ledgers follow it, and the event joins the log; cannot fail.
    mutating func commit(_ change: Change, of event: Event, bytes: some Collection<UInt8>) {
        switch change {
        case .tasks(let change): tasks.apply(change, of: event)
        case .collaboration(let change):
            tasks.apply(change.task, of: event)
            collaboration.apply(change, of: event)
        case .identity(let change): identity.apply(change, of: event)
        case .workflows(let change): workflows.apply(change, of: event)
        case .templates(let change): templates.apply(change, of: event)
        case .automations(let change): automations.apply(change, of: event)
        case .notifications(let change): notifications.apply(change, of: event)
        }
        // Every ledger that did not apply the change follows it (a collaboration change also changes a task).
        let owner = event.type.domain
        if owner != .tasks && owner != .collaboration { tasks.follow(event) }
        if owner != .collaboration { collaboration.follow(event) }
        if owner != .identity { identity.follow(event) }
        if owner != .workflows { workflows.follow(event) }
        if owner != .templates { templates.follow(event) }
        if owner != .automations { automations.follow(event) }
        if owner != .notifications { notifications.follow(event) }
        // A task's events chain into its history; events of no task are kept in `seq` order only.
        let slot = event.taskID.flatMap(tasks.slot(of:))
        log.append(bytes, slot: slot ?? -1)
        lastSeq = event.seq
        lastEventAt = max(lastEventAt, event.at)
        // Routing reads the state the event leaves (watchers, the directory); the ledger is taken out while
        // it routes, so reading the rest of the state copies nothing.
        if routesNotifications, !event.isInternal {
            var notifications = self.notifications
            self.notifications = NotificationLedger()
            notifications.route(event, task: change.task, state: self)
            self.notifications = notifications
        }
    }

    /// Prepares and commits an event (journal replay, import).
    mutating func apply(_ event: Event, bytes: some Collection<UInt8>) throws(EngineError) {
        let change = try prepare(event)
        commit(change, of: event, bytes: bytes)
    }

    // MARK: Loading whole states

    /// Restores the ledgers from a snapshot's lines, sorted by kind, in dependency order: tasks first, then
    /// the domains that refer to tasks. Each ledger starts empty and reads every line of its kinds.
    mutating func loadLedgers(_ lines: [SnapshotLine.Kind: [SnapshotLine]]) throws(EngineError) {
        var tasks = TaskLedger()
        try tasks.load(lines, state: self)
        self.tasks = tasks
        var collaboration = CollaborationLedger()
        try collaboration.load(lines, state: self)
        self.collaboration = collaboration
        var identity = IdentityLedger()
        try identity.load(lines, state: self)
        self.identity = identity
        var workflows = WorkflowLedger()
        try workflows.load(lines, state: self)
        self.workflows = workflows
        var templates = TemplateLedger()
        try templates.load(lines, state: self)
        self.templates = templates
        var automations = AutomationLedger()
        try automations.load(lines, state: self)
        self.automations = automations
        var notifications = NotificationLedger()
        try notifications.load(lines, state: self)
        self.notifications = notifications
    }

    /// Every line kind a ledger reads; anything else in a snapshot (but the header and events) is damage.
    static var ledgerLineKinds: [SnapshotLine.Kind] {
        TaskLedger.lineKinds + CollaborationLedger.lineKinds + IdentityLedger.lineKinds + WorkflowLedger.lineKinds
            + TemplateLedger.lineKinds + AutomationLedger.lineKinds + NotificationLedger.lineKinds
    }

    /// Writes every ledger's snapshot lines.
    func writeLedgers(into writer: inout SnapshotWriter) {
        tasks.writeSnapshot(into: &writer, state: self)
        collaboration.writeSnapshot(into: &writer, state: self)
        identity.writeSnapshot(into: &writer, state: self)
        workflows.writeSnapshot(into: &writer, state: self)
        templates.writeSnapshot(into: &writer, state: self)
        automations.writeSnapshot(into: &writer, state: self)
        notifications.writeSnapshot(into: &writer, state: self)
    }

    /// Adds every ledger's members to an export document.
    func exportLedgers(into document: inout JSONObject) {
        tasks.export(into: &document, state: self)
        collaboration.export(into: &document, state: self)
        identity.export(into: &document, state: self)
        workflows.export(into: &document, state: self)
        templates.export(into: &document, state: self)
        automations.export(into: &document, state: self)
        notifications.export(into: &document, state: self)
    }

    /// Checks an export document against the state its events rebuilt, ledger by ledger.
    mutating func importLedgers(of document: JSONObject) throws(EngineError) {
        // Each ledger is taken out while it checks, so reading the rest of the state copies nothing.
        var tasks = self.tasks
        self.tasks = TaskLedger()
        try tasks.importMembers(of: document, state: self)
        self.tasks = tasks
        var collaboration = self.collaboration
        self.collaboration = CollaborationLedger()
        try collaboration.importMembers(of: document, state: self)
        self.collaboration = collaboration
        var identity = self.identity
        self.identity = IdentityLedger()
        try identity.importMembers(of: document, state: self)
        self.identity = identity
        var workflows = self.workflows
        self.workflows = WorkflowLedger()
        try workflows.importMembers(of: document, state: self)
        self.workflows = workflows
        var templates = self.templates
        self.templates = TemplateLedger()
        try templates.importMembers(of: document, state: self)
        self.templates = templates
        var automations = self.automations
        self.automations = AutomationLedger()
        try automations.importMembers(of: document, state: self)
        self.automations = automations
        var notifications = self.notifications
        self.notifications = NotificationLedger()
        try notifications.importMembers(of: document, state: self)
        self.notifications = notifications
    }

    /// Adds an event's bytes to the log without applying it (its effect is already in the loaded ledgers).
    mutating func load(eventBytes bytes: some Collection<UInt8>, seq: UInt64, slot: Int32) throws(EngineError) {
        guard seq == lastSeq + 1 else { throw .damaged("event \(seq) follows event \(lastSeq)") }
        log.append(bytes, slot: slot)
        lastSeq = seq
    }

    /// The slots of a loaded snapshot's task histories, by `seq` - 1 (see ``TaskLedger/takeSnapshotHistory(eventCount:)``).
    mutating func takeSnapshotHistory(eventCount: Int) throws(EngineError) -> [Int32] {
        try tasks.takeSnapshotHistory(eventCount: eventCount)
    }

    /// Sets the newest event time directly (snapshots carry it).
    mutating func load(lastEventAt time: Timestamp) {
        lastEventAt = max(lastEventAt, time)
    }

    /// Records the newest task id a snapshot or export names, so later ids stay above it.
    mutating func load(lastTaskID raw: UInt64) {
        tasks.ids.observe(raw)
    }
}
