import JSON

/// The workflows domain: every workflow, its steps and the workflow id generator.
///
/// A workflow's steps are tasks; the task events that create, block, unblock and cancel them are committed
/// in the same journal record as the workflow event that explains them (see ``JournalRecord``), so this
/// ledger only keeps the workflow's own fields. Its events come after the task events of their record, so
/// `prepare` can check that every step's task exists and belongs to the workflow.
struct WorkflowLedger: Ledger {
    /// A workflow as an event leaves it.
    struct Change: Sendable {
        var new: Workflow
    }

    static let lineKinds: [SnapshotLine.Kind] = [.workflow]

    /// Workflows by raw id.
    private(set) var workflows: [UInt64: Workflow] = [:]
    /// Raw ids in creation order (ids grow, so this is also id order).
    private(set) var order: [UInt64] = []
    var ids = TaskIDGenerator()

    /// A workflow by id.
    func workflow(_ id: WorkflowID) -> Workflow? { workflows[id.raw] }

    /// The number of workflows.
    var count: Int { order.count }

    /// Every workflow, oldest first.
    var all: [Workflow] { order.compactMap { workflows[$0] } }

    // MARK: Events

    func prepare(_ event: Event, in state: EngineState) throws(EngineError) -> Change {
        guard case .workflow(let id) = event.subject else { throw .damaged("event \(event.seq) has no workflow id") }
        var workflow: Workflow
        if event.type == .workflowCreated {
            guard workflows[id.raw] == nil else { throw .damaged("event \(event.seq) creates an existing workflow") }
            workflow = Workflow(rawID: id.raw, name: "", createdAt: event.at, createdBy: event.actor)
        } else {
            guard let existing = workflows[id.raw] else {
                throw .damaged("event \(event.seq) changes a workflow that does not exist")
            }
            workflow = existing
        }
        for member in event.changes.members {
            guard let field = Workflow.Field(rawValue: member.key), let new = member.value["new"],
                workflow.set(field, new)
            else { throw .damaged("event \(event.seq) has a bad change to \(member.key)") }
        }
        workflow.updatedAt = event.at
        switch event.type {
        case .workflowCreated, .workflowUpdated:
            var names = Set<String>()
            for step in workflow.steps {
                guard names.insert(step.name).inserted,
                    let slot = state.tasks.slot(of: step.taskID),
                    state.tasks.task(at: slot).workflowID == id, state.tasks.task(at: slot).step == step.name
                else { throw .damaged("event \(event.seq) names a step whose task does not belong to it") }
            }
            for step in workflow.steps where !step.dependsOn.allSatisfy(names.contains) {
                throw .damaged("event \(event.seq) names a dependency that is not a step")
            }
        case .workflowStepReady:
            guard let name = event.detail?["name"]?.stringValue, workflow.step(named: name) != nil else {
                throw .damaged("event \(event.seq) makes a step ready that does not exist")
            }
        case .workflowCompleted, .workflowCancelled:
            break
        default:
            throw .damaged("event \(event.seq) is not a workflow event")
        }
        return Change(new: workflow)
    }

    mutating func apply(_ change: Change, of event: Event) {
        let raw = change.new.rawID
        if workflows[raw] == nil {
            order.append(raw)
            ids.observe(raw)
        }
        workflows[raw] = change.new
    }

    // MARK: Snapshots

    func writeSnapshot(into writer: inout SnapshotWriter, state: EngineState) {
        for workflow in all { writer.write(.workflow, workflow.persistentJSON) }
    }

    mutating func load(_ lines: [SnapshotLine.Kind: [SnapshotLine]], state: EngineState) throws(EngineError) {
        for line in lines[.workflow] ?? [] {
            let workflow = try Workflow(persistent: line.object())
            guard workflows[workflow.rawID] == nil, workflow.rawID > (order.last ?? 0) else {
                throw .damaged("workflow \(workflow.id) appears twice or out of order")
            }
            for step in workflow.steps where state.tasks.slot(of: step.taskID) == nil {
                throw .damaged("workflow \(workflow.id) names a task that does not exist")
            }
            workflows[workflow.rawID] = workflow
            order.append(workflow.rawID)
            ids.observe(workflow.rawID)
        }
    }

    // MARK: Export and import

    /// `workflows` in creation order, written only when there is one, so exports of data without workflows
    /// stay byte for byte what earlier releases wrote.
    func export(into document: inout JSONObject, state: EngineState) {
        guard !order.isEmpty else { return }
        document.append("workflows", .array(all.map { .object($0.persistentJSON) }))
    }

    /// The document's workflows (none when the member is absent) must be the ones its events rebuilt.
    mutating func importMembers(of document: JSONObject, state: EngineState) throws(EngineError) {
        let listed = document["workflows"] ?? .array([])
        guard listed == .array(all.map { .object($0.persistentJSON) }) else {
            throw .damaged("the document's workflows do not match its events")
        }
    }
}

extension SnapshotLine.Kind {
    static let workflow = Self(rawValue: "workflow")
}
