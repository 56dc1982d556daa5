import JSON

/// The automations domain: every live automation in creation order, the id generator, and which published
/// events already fired which automation.
///
/// Automations change through their own events (`automation_created`, `automation_updated`,
/// `automation_deleted`, each carrying the whole automation in `automation`). A firing is no event of its
/// own: it is the `automation` member of the `task_created` event of the task it made
/// (``AutomationFiring``), which this ledger follows, so a task and its automation's firing are one record
/// and a crash can never keep one without the other.
struct AutomationLedger: Ledger {
    /// A checked automation event, ready to commit without failing.
    struct Change: Sendable {
        var id: AutomationID
        /// The automation after the change; `nil` once deleted.
        var new: Automation?
    }

    static let lineKinds: [SnapshotLine.Kind] = [.automation, .automationFiring, .automationCounter]

    private(set) var automations: [AutomationID: Automation] = [:]
    /// Live automation ids in creation order: the order of `automations.list`, of firing and of snapshots.
    private(set) var order: [AutomationID] = []
    /// ``AutomationFiring/key`` of every firing: a published event id fires each automation at most once.
    private(set) var firings: Set<String> = []
    var ids = TaskIDGenerator()

    /// A live automation.
    func automation(_ id: AutomationID) throws(EngineError) -> Automation {
        guard let automation = automations[id] else { throw .automationNotFound(id.description) }
        return automation
    }

    /// Every live automation in creation order.
    var all: [Automation] { order.compactMap { automations[$0] } }

    /// Whether any enabled automation fires on task events: asked on every task write, so it builds nothing.
    var firesOnTaskEvents: Bool { automations.values.contains { $0.enabled && $0.taskEvent != nil } }

    /// Whether the published event `eventID` already fired the automation.
    func fired(_ id: AutomationID, eventID: String) -> Bool {
        firings.contains(AutomationFiring(automationID: id, eventID: eventID, depth: 0, assignCursor: 0).key)
    }

    // MARK: Events

    func prepare(_ event: Event, in state: EngineState) throws(EngineError) -> Change {
        func damaged(_ detail: String) -> EngineError { .damaged("event \(event.seq) \(detail)") }
        guard case .automation(let id) = event.subject else { throw damaged("is not an automation event") }
        guard let detail = event.detail else { throw damaged("carries no automation") }
        let automation = try Automation(json: detail)
        guard automation.id == id else { throw damaged("carries another automation than its subject") }
        switch event.type {
        case .automationCreated:
            guard automations[id] == nil else { throw damaged("creates an existing automation") }
            return Change(id: id, new: automation)
        case .automationUpdated:
            guard automations[id] != nil else { throw damaged("changes an automation that does not exist") }
            return Change(id: id, new: automation)
        case .automationDeleted:
            guard automations[id] != nil else { throw damaged("deletes an automation that does not exist") }
            return Change(id: id, new: nil)
        default:
            throw damaged("is not an automation event")
        }
    }

    mutating func apply(_ change: Change, of event: Event) {
        ids.observe(change.id.raw)
        guard let new = change.new else {
            automations[change.id] = nil
            order.removeAll { $0 == change.id }
            return
        }
        if automations[change.id] == nil { order.append(change.id) }
        automations[change.id] = new
    }

    /// A task an automation created: the firing is remembered and the automation's counters move.
    mutating func follow(_ event: Event) {
        guard event.type == .taskCreated, let firing = AutomationFiring(json: event.detail) else { return }
        firings.insert(firing.key)
        guard var automation = automations[firing.automationID] else { return }
        automation.firedCount += 1
        automation.lastFiredAt = event.at
        automation.assignCursor = firing.assignCursor
        automations[firing.automationID] = automation
    }

    // MARK: Snapshots

    func writeSnapshot(into writer: inout SnapshotWriter, state: EngineState) {
        for automation in all { writer.write(.automation, automation.json.objectValue ?? [:]) }
        for line in firingsJSON { writer.write(.automationFiring, line.objectValue ?? [:]) }
        if ids.last > 0 {
            writer.write(
                .automationCounter, ["last_automation_id": .string(AutomationID(raw: ids.last).description)])
        }
    }

    mutating func load(_ lines: [SnapshotLine.Kind: [SnapshotLine]], state: EngineState) throws(EngineError) {
        for line in lines[.automation] ?? [] {
            let automation = try Automation(json: .object(line.object()))
            guard automations[automation.id] == nil else {
                throw .damaged("automation \(automation.id) appears twice")
            }
            ids.observe(automation.id.raw)
            order.append(automation.id)
            automations[automation.id] = automation
        }
        for line in lines[.automationFiring] ?? [] { try loadFiring(line.object()) }
        for line in lines[.automationCounter] ?? [] {
            guard let id = try line.object()["last_automation_id"]?.stringValue.flatMap(AutomationID.init) else {
                throw .damaged("the automation id counter is malformed")
            }
            ids.observe(id.raw)
        }
    }

    private mutating func loadFiring(_ object: JSONObject) throws(EngineError) {
        guard let eventID = object["event_id"]?.stringValue,
            let id = object["automation_id"]?.stringValue.flatMap(AutomationID.init)
        else { throw .damaged("an automation firing is malformed") }
        firings.insert(AutomationFiring(automationID: id, eventID: eventID, depth: 0, assignCursor: 0).key)
    }

    /// `{event_id, automation_id}` of every firing, sorted.
    private var firingsJSON: [JSONValue] {
        firings.sorted().map { key in
            let parts = key.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false)
            return [
                "event_id": .string(String(parts.first ?? "")),
                "automation_id": .string(parts.count > 1 ? String(parts[1]) : ""),
            ]
        }
    }

    // MARK: Export and import

    /// `automations` and `automation_firings`, each only when there are any.
    func export(into document: inout JSONObject, state: EngineState) {
        if !order.isEmpty { document.append("automations", .array(all.map(\.json))) }
        if !firings.isEmpty { document.append("automation_firings", .array(firingsJSON)) }
    }

    /// Both come from the events; the document's lists (absent when empty) must agree with them.
    mutating func importMembers(of document: JSONObject, state: EngineState) throws(EngineError) {
        guard (document["automations"]?.arrayValue ?? []) == all.map(\.json),
            (document["automation_firings"]?.arrayValue ?? []) == firingsJSON
        else { throw .damaged("the document's automations do not match its events") }
    }
}

extension SnapshotLine.Kind {
    static let automation = Self(rawValue: "automation")
    static let automationFiring = Self(rawValue: "automation_firing")
    static let automationCounter = Self(rawValue: "automation_counter")
}
