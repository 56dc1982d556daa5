package import JSON
import TaskStore

extension Engine {
    // MARK: Writes

    /// Creates a workflow and one task per step, in one journal record: `task_created` for every step
    /// (with `workflow_id`, `step` and, for steps with dependencies, `blocked_by`), then `workflow_created`.
    package func createWorkflow(_ input: NewWorkflow, by caller: Caller) throws(EngineError) -> Committed<JSONValue> {
        try authorize(.createWorkflow, caller)
        let name = try WorkflowValidator.name(input.name, field: "name")
        try WorkflowValidator.stepCount(input.steps.count)
        let context = try input.context.map(Validator.context) ?? []
        var names = Set<String>()
        var steps: [NewWorkflowStep] = []
        for step in input.steps { steps.append(try WorkflowValidator.step(step, existing: &names)) }
        _ = try WorkflowValidator.graph(names: steps.map(\.name), dependsOn: steps.map(\.dependsOn))

        let at = state.eventTime(now: clock.now())
        var workflowIDs = state.workflows.ids
        var workflow = Workflow(rawID: workflowIDs.next(at: at), name: name, createdAt: at, createdBy: caller.user)
        workflow.context = context
        var events = EventBatch(first: state.lastSeq + 1, at: at, caller: caller)
        var taskIDs = state.tasks.ids
        for step in steps {
            let template = try stepTemplate(step, workflowName: name, context: context)
            let task = events.createTask(for: step, in: workflow, rawID: taskIDs.next(at: at), template: template)
            workflow.steps.append(
                Workflow.Step(
                    name: step.name, taskID: task.id, dependsOn: step.dependsOn, durationHours: step.durationHours,
                    templateID: step.templateID))
        }
        events.add(.workflowCreated, leaving: workflow, changes: Workflow.changes(from: nil, to: workflow))
        let (_, ticket) = try commitGroup(events.events)
        return Committed(workflowProgress(workflow.id).detailJSON, ticket: ticket)
    }

    /// Renames a workflow, adds steps and changes dependencies, with the same checks as creation, in one
    /// record. Open steps whose dependencies changed get `blocked_by` recomputed (the dependencies not
    /// completed); one left with none is ready (`workflow_step_ready`). Adding a step to a completed
    /// workflow reopens it.
    package func updateWorkflow(
        _ id: WorkflowID, _ patch: WorkflowPatch, by caller: Caller
    ) throws(EngineError) -> Committed<JSONValue> {
        try authorize(.manageWorkflow, caller)
        var workflow = try existingWorkflow(id)
        guard patch.name != nil || !patch.addSteps.isEmpty || !patch.dependsOn.isEmpty else {
            throw WorkflowValidator.invalid("Give name, add_steps or depends_on.", field: "workflow_id")
        }
        guard workflow.cancelledAt == nil else {
            throw .workflowConflict(
                message: "Workflow \(id) is cancelled and cannot change",
                details: ["workflow_id": .string(id.description)])
        }
        let old = workflow
        if let name = patch.name { workflow.name = try WorkflowValidator.name(name, field: "name") }
        try WorkflowValidator.stepCount(workflow.steps.count + patch.addSteps.count)
        var names = Set(workflow.steps.map(\.name))
        var added: [NewWorkflowStep] = []
        for step in patch.addSteps { added.append(try WorkflowValidator.step(step, existing: &names)) }
        var dependsOn = workflow.steps.map(\.dependsOn) + added.map(\.dependsOn)
        let allNames = workflow.steps.map(\.name) + added.map(\.name)
        let positions = Dictionary(allNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var changed = Set(added.map(\.name))
        for (step, list) in patch.dependsOn {
            guard let index = positions[step] else {
                throw .invalidWorkflow(
                    message: "depends_on names \(step), which is not a step of the workflow",
                    details: ["field": "depends_on", "step": .string(step)])
            }
            dependsOn[index] = try WorkflowValidator.dependencies(list, of: step)
            changed.insert(step)
        }
        _ = try WorkflowValidator.graph(names: allNames, dependsOn: dependsOn)

        let at = state.eventTime(now: clock.now())
        var events = EventBatch(first: state.lastSeq + 1, at: at, caller: caller)
        var taskIDs = state.tasks.ids
        let completedNames = Set(
            workflow.steps.filter { step in liveTask(step.taskID)?.status == .completed }.map(\.name))
        for (offset, step) in added.enumerated() {
            var blocked = step
            blocked.dependsOn = dependsOn[workflow.steps.count + offset].filter { !completedNames.contains($0) }
            let template = try stepTemplate(step, workflowName: workflow.name, context: workflow.context)
            let task = events.createTask(
                for: blocked, in: workflow, rawID: taskIDs.next(at: at), template: template)
            workflow.steps.append(
                Workflow.Step(
                    name: step.name, taskID: task.id, dependsOn: step.dependsOn, durationHours: step.durationHours,
                    templateID: step.templateID))
        }
        var ready: [Workflow.Step] = []
        for index in workflow.steps.indices {
            workflow.steps[index].dependsOn = dependsOn[index]
            let step = workflow.steps[index]
            guard index < old.steps.count, changed.contains(step.name), let task = liveTask(step.taskID),
                task.status.isOpen
            else { continue }
            let blockedBy = step.dependsOn.filter { !completedNames.contains($0) }
            guard blockedBy != task.blockedBy else { continue }
            events.changeTask(task) { $0.blockedBy = blockedBy }
            if blockedBy.isEmpty { ready.append(step) }
        }
        if !added.isEmpty { workflow.completedAt = nil }
        let changes = Workflow.changes(from: old, to: workflow)
        if !changes.isEmpty {
            events.add(.workflowUpdated, leaving: workflow, changes: changes)
        }
        for step in ready { events.add(.workflowStepReady, id, detail: Self.stepDetail(step)) }
        guard !events.events.isEmpty else {
            return Committed(workflowProgress(id).detailJSON, ticket: store.barrier())
        }
        let (_, ticket) = try commitGroup(events.events)
        return Committed(workflowProgress(id).detailJSON, ticket: ticket)
    }

    /// Cancels a workflow and every open task of its steps, in one record (`task_updated` per task, then
    /// `workflow_cancelled`). A cancelled or completed workflow cannot be cancelled.
    package func cancelWorkflow(_ id: WorkflowID, by caller: Caller) throws(EngineError) -> Committed<JSONValue> {
        try authorize(.manageWorkflow, caller)
        var workflow = try existingWorkflow(id)
        let progress = workflowProgress(id)
        guard progress.status != .cancelled, progress.status != .completed else {
            throw .workflowConflict(
                message: "Workflow \(id) is \(progress.status.rawValue) and cannot be cancelled",
                details: ["workflow_id": .string(id.description), "status": .string(progress.status.rawValue)])
        }
        let at = state.eventTime(now: clock.now())
        var events = EventBatch(first: state.lastSeq + 1, at: at, caller: caller)
        for task in progress.tasks.compactMap({ $0 }) where task.status.isOpen {
            events.changeTask(task) { $0.status = .cancelled }
        }
        let old = workflow
        workflow.cancelledAt = at
        events.add(.workflowCancelled, leaving: workflow, changes: Workflow.changes(from: old, to: workflow))
        let (_, ticket) = try commitGroup(events.events)
        return Committed(workflowProgress(id).detailJSON, ticket: ticket)
    }

    // MARK: Reads

    /// `workflows.status`: linear in the workflow's steps and dependencies.
    package func workflowStatus(_ id: WorkflowID, for caller: Caller = .system) throws(EngineError) -> JSONValue {
        try authorize(.read, caller)
        _ = try existingWorkflow(id)
        return workflowProgress(id).statusJSON
    }

    /// `workflows.get`: the status, the workflow's fields and every step with its task's state.
    package func workflowDetail(_ id: WorkflowID, for caller: Caller = .system) throws(EngineError) -> JSONValue {
        try authorize(.read, caller)
        _ = try existingWorkflow(id)
        return workflowProgress(id).detailJSON
    }

    /// `workflows.list`: a page of workflows, oldest first, optionally only those in some statuses, as
    /// `{workflows: [status…], total, page, limit}`.
    package func listWorkflows(
        statuses: [String], page: Int, limit: Int, for caller: Caller = .system
    ) throws(EngineError) -> JSONValue {
        try authorize(.read, caller)
        var wanted = Set<WorkflowProgress.Status>()
        for text in statuses {
            guard let status = WorkflowProgress.Status(rawValue: text) else {
                throw .invalid(
                    "status", "Status must be one of pending, in_progress, blocked, completed, cancelled, not \(text).")
            }
            wanted.insert(status)
        }
        guard page >= 1, page <= TaskLimits.pageNumber else {
            throw .invalid("page", "Page must be between 1 and \(TaskLimits.pageNumber).")
        }
        guard limit >= 1, limit <= WorkflowLimits.pageSize else {
            throw .invalid("limit", "Limit must be between 1 and \(WorkflowLimits.pageSize).")
        }
        let now = clock.now()
        var matching: [JSONValue] = []
        var total = 0
        let skip = (page - 1) * limit
        for workflow in state.workflows.all {
            let progress = WorkflowProgress(workflow, tasks: state.tasks, now: now)
            guard wanted.isEmpty || wanted.contains(progress.status) else { continue }
            if total >= skip, matching.count < limit { matching.append(progress.statusJSON) }
            total += 1
        }
        return ["workflows": .array(matching), "total": .int(total), "page": .int(page), "limit": .int(limit)]
    }

    /// The number of workflows.
    package var workflowCount: Int { state.workflows.count }

    // MARK: Helpers

    func existingWorkflow(_ id: WorkflowID) throws(EngineError) -> Workflow {
        guard let workflow = state.workflows.workflow(id) else { throw .workflowNotFound(id.description) }
        return workflow
    }

    func workflowProgress(_ id: WorkflowID) -> WorkflowProgress {
        // Only called with ids of existing workflows.
        let workflow =
            state.workflows.workflow(id)
            ?? Workflow(rawID: id.raw, name: "", createdAt: .minimum, createdBy: UserID(""))
        return WorkflowProgress(workflow, tasks: state.tasks, now: clock.now())
    }

    /// A live task, or `nil` when it was deleted.
    func liveTask(_ id: TaskID) -> TaskItem? {
        try? state.tasks.liveTask(id).task
    }

    /// The detail of `workflow_step_ready`: `{name, task_id}`.
    static func stepDetail(_ step: Workflow.Step) -> JSONValue {
        ["name": .string(step.name), "task_id": .string(step.taskID.description)]
    }
}

/// The events of one grouped commit, numbered as they are added, all at one time and by one actor.
struct EventBatch {
    private(set) var events: [Event] = []
    let first: UInt64
    let at: Timestamp
    let actor: UserID
    /// The agent that acted for `actor`, when one did.
    let agent: UserID?

    init(first: UInt64, at: Timestamp, actor: UserID, agent: UserID?) {
        self.first = first
        self.at = at
        self.actor = actor
        self.agent = agent
    }

    init(first: UInt64, at: Timestamp, caller: Caller) {
        self.init(first: first, at: at, actor: caller.user, agent: caller.agent)
    }

    private var nextSeq: UInt64 { first + UInt64(events.count) }

    /// Adds `task_created` for a step's task and returns the task.
    mutating func createTask(
        for step: NewWorkflowStep, in workflow: Workflow, rawID: UInt64, template: Engine.StepTemplate? = nil
    ) -> TaskItem {
        var task = TaskItem(rawID: rawID, title: step.name, createdAt: at, createdBy: actor)
        task.description = step.description ?? template?.description
        task.assignee = step.assignee ?? template?.assignee
        if let template {
            task.priority = template.priority
            task.tags = template.tags
            task.checklist = template.checklist
            task.templateID = template.templateID
        }
        task.context = workflow.context
        task.workflowID = workflow.id
        task.step = step.name
        task.blockedBy = step.dependsOn
        events.append(
            Event(
                seq: nextSeq, type: .taskCreated, at: at, actor: actor, agent: agent, subject: .task(task.id),
                version: 1, changes: TaskField.creation(of: task)))
        return task
    }

    /// Adds the event of a change to a task: `task_completed` when it completes it, else `task_updated`.
    mutating func changeTask(_ old: TaskItem, _ change: (inout TaskItem) -> Void) {
        var task = old
        change(&task)
        let type: EventType = task.status == .completed && old.status != .completed ? .taskCompleted : .taskUpdated
        events.append(
            Event(
                seq: nextSeq, type: type, at: at, actor: actor, agent: agent, subject: .task(old.id),
                version: old.version + 1, changes: TaskField.changes(from: old, to: task)))
    }

    /// Adds a workflow event that carries the workflow as it leaves it (updated at the batch's time, as the
    /// ledger applies it), for the event feed.
    mutating func add(_ type: EventType, leaving workflow: Workflow, changes: JSONObject) {
        var after = workflow
        after.updatedAt = at
        add(type, workflow.id, changes: changes, detail: .object(after.persistentJSON))
    }

    /// Adds a workflow event.
    mutating func add(_ type: EventType, _ id: WorkflowID, changes: JSONObject = [:], detail: JSONValue? = nil) {
        events.append(
            Event(
                seq: nextSeq, type: type, at: at, actor: actor, agent: agent, subject: .workflow(id), version: 0,
                changes: changes, detail: detail))
    }

    /// Adds an event built elsewhere, renumbered to its place in the batch.
    mutating func append(_ event: Event) {
        var event = event
        event.seq = nextSeq
        events.append(event)
    }
}
