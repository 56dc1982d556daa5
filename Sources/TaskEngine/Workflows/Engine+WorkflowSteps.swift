import JSON
import TaskStore

extension Engine {
    /// Refuses to start or complete a step's task while `blocked_by` names open dependencies (409
    /// `invalid_transition` naming them). Tasks of no workflow, and other moves, pass.
    func checkStepMayMove(_ task: TaskItem, to status: TaskStatus) throws(EngineError) {
        guard status == .inProgress || status == .completed, !task.blockedBy.isEmpty else { return }
        throw .stepBlocked(taskID: task.id.description, to: status, blockedBy: task.blockedBy)
    }

    /// Refuses to delete a step's task while its workflow is not cancelled: the workflow would lose a step.
    func checkStepMayBeDeleted(_ task: TaskItem) throws(EngineError) {
        guard let id = task.workflowID, let workflow = state.workflows.workflow(id), workflow.cancelledAt == nil
        else { return }
        throw .workflowConflict(
            message:
                "Task \(task.id) is step \(task.step ?? "") of workflow \(id); cancel the workflow before deleting it",
            details: ["task_id": .string(task.id.description), "workflow_id": .string(id.description)])
    }

    /// Commits a change of a task's status together with what it implies for its workflow, in one record:
    ///
    /// - completing a step removes it from its dependents' `blocked_by` (open dependents), with
    ///   `workflow_step_ready` for each one left with none, and `workflow_completed` when every step is done;
    /// - reopening a completed step adds it back to the `blocked_by` of dependents that are still pending,
    ///   and reopens a completed workflow (`workflow_updated` clearing `completed_at`).
    ///
    /// A task of no workflow, or of a cancelled one, commits alone as before.
    func commitStepChange(_ event: Event, old: TaskItem, new: TaskItem) throws(EngineError) -> (TaskItem, CommitTicket)
    {
        guard let id = new.workflowID, let stepName = new.step, let workflow = state.workflows.workflow(id),
            workflow.cancelledAt == nil, old.status != new.status,
            old.status == .completed || new.status == .completed
        else { return try commit(event) }
        var batch = EventBatch(first: event.seq, at: event.at, actor: event.actor, agent: event.agent)
        batch.append(event)
        var ready: [Workflow.Step] = []
        var allCompleted = true
        for step in workflow.steps {
            guard let task = step.taskID == new.id ? new : liveTask(step.taskID) else {
                allCompleted = false
                continue
            }
            if task.status != .completed { allCompleted = false }
            guard step.dependsOn.contains(stepName) else { continue }
            if new.status == .completed {
                guard task.status.isOpen, task.blockedBy.contains(stepName) else { continue }
                let blockedBy = task.blockedBy.filter { $0 != stepName }
                batch.changeTask(task) { $0.blockedBy = blockedBy }
                if blockedBy.isEmpty { ready.append(step) }
            } else if task.status == .pending, !task.blockedBy.contains(stepName) {
                let blocked = Set(task.blockedBy + [stepName])
                batch.changeTask(task) { $0.blockedBy = step.dependsOn.filter(blocked.contains) }
            }
        }
        for step in ready { batch.add(.workflowStepReady, id, detail: Self.stepDetail(step)) }
        if new.status == .completed, allCompleted, workflow.completedAt == nil {
            var completed = workflow
            completed.completedAt = event.at
            batch.add(.workflowCompleted, leaving: completed, changes: Workflow.changes(from: workflow, to: completed))
        } else if new.status != .completed, workflow.completedAt != nil {
            var reopened = workflow
            reopened.completedAt = nil
            batch.add(.workflowUpdated, leaving: reopened, changes: Workflow.changes(from: workflow, to: reopened))
        }
        let (changes, ticket) = try commitGroup(batch.events)
        guard let task = changes.first?.task else {
            preconditionFailure("event \(event.seq) is not an event of a task")
        }
        return (task, ticket)
    }
}
