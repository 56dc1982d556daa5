package import JSON

/// Where a workflow stands, derived from its steps' tasks at one instant: what `workflows.status` answers.
///
/// Rules (docs/workflows.md): `cancelled` once cancelled; `completed` when every step's task is; `blocked`
/// when a step's task is cancelled or deleted (its dependents can never start until it is reopened);
/// `in_progress` once any step started or completed; `pending` before. The current steps are the open steps
/// with no open dependency, in step order. `estimated_completion` is now plus the critical path of the
/// remaining `duration_hours` (completed steps and steps without a duration count 0).
package struct WorkflowProgress: Sendable {
    /// A workflow's status.
    package enum Status: String, Sendable, CaseIterable {
        case pending
        case inProgress = "in_progress"
        case blocked
        case completed
        case cancelled
    }

    package var workflow: Workflow
    /// Each step's task, by step index; `nil` for a deleted task.
    package var tasks: [TaskItem?]
    package var status: Status
    package var completedSteps: Int
    package var currentSteps: [String]
    package var blockedSteps: [String]
    package var estimatedCompletion: Timestamp?

    /// The progress of `workflow` at `now`, reading its steps' tasks from `tasks`. Linear in steps and edges.
    init(_ workflow: Workflow, tasks ledger: TaskLedger, now: Timestamp) {
        self.workflow = workflow
        var tasks: [TaskItem?] = []
        tasks.reserveCapacity(workflow.steps.count)
        for step in workflow.steps {
            let task = ledger.slot(of: step.taskID).map(ledger.task(at:))
            tasks.append(task.flatMap { $0.isDeleted ? nil : $0 })
        }
        self.tasks = tasks
        var completed = 0
        var started = false
        var current: [String] = []
        var blocked: [String] = []
        var remaining: [Double] = []
        remaining.reserveCapacity(tasks.count)
        var lastCompletion: Timestamp?
        for (step, task) in zip(workflow.steps, tasks) {
            let status = task?.status
            remaining.append(status == .completed ? 0 : max(step.durationHours ?? 0, 0))
            switch status {
            case .completed?:
                completed += 1
                started = true
                if let at = task?.completedAt { lastCompletion = max(lastCompletion ?? at, at) }
            case .inProgress?:
                started = true
                current.append(step.name)
            case .pending?:
                if task?.blockedBy.isEmpty == true { current.append(step.name) }
            case .cancelled?, nil:
                blocked.append(step.name)
            }
        }
        completedSteps = completed
        currentSteps = workflow.cancelledAt == nil ? current : []
        blockedSteps = workflow.cancelledAt == nil ? blocked : []
        if workflow.cancelledAt != nil {
            status = .cancelled
            estimatedCompletion = nil
        } else if completed == tasks.count {
            status = .completed
            estimatedCompletion = workflow.completedAt ?? lastCompletion
        } else {
            status = !blocked.isEmpty ? .blocked : started ? .inProgress : .pending
            let graph = try? WorkflowGraph(
                names: workflow.steps.map(\.name), dependsOn: workflow.steps.map(\.dependsOn))
            let hours = graph?.criticalPath(remaining: remaining) ?? remaining.reduce(0, +)
            estimatedCompletion = now.adding(seconds: Int64((hours * 3600).rounded()))
        }
    }

    /// Completed steps over all steps, 0-100, rounded down.
    package var progress: Int { tasks.isEmpty ? 0 : completedSteps * 100 / tasks.count }

    /// `workflows.status`: `{workflow_id, name, status, progress, completed_steps, total_steps, current_step,
    /// current_steps, blocked_steps, estimated_completion}`.
    package var statusJSON: JSONValue { .object(statusMembers) }

    private var statusMembers: JSONObject {
        var object = JSONObject()
        object.append("workflow_id", .string(workflow.id.description))
        object.append("name", .string(workflow.name))
        object.append("status", .string(status.rawValue))
        object.append("progress", .int(progress))
        object.append("completed_steps", .int(completedSteps))
        object.append("total_steps", .int(tasks.count))
        object.append("current_step", currentSteps.first.map(JSONValue.string) ?? .null)
        object.append("current_steps", .array(currentSteps.map(JSONValue.string)))
        object.append("blocked_steps", .array(blockedSteps.map(JSONValue.string)))
        object.append("estimated_completion", estimatedCompletion.map { .string($0.rfc3339) } ?? .null)
        return object
    }

    /// `workflows.get` and the replies of writes: the status members, then the workflow's own fields and
    /// every step with its task's state.
    package var detailJSON: JSONValue {
        var object = statusMembers
        object.append("context", TaskField.contextJSON(workflow.context))
        object.append("created_at", .string(workflow.createdAt.rfc3339))
        object.append("created_by", workflow.createdBy.json)
        object.append("updated_at", .string(workflow.updatedAt.rfc3339))
        object.append("completed_at", workflow.completedAt.map { .string($0.rfc3339) } ?? .null)
        object.append("cancelled_at", workflow.cancelledAt.map { .string($0.rfc3339) } ?? .null)
        var steps: [JSONValue] = []
        steps.reserveCapacity(tasks.count)
        for (step, task) in zip(workflow.steps, tasks) {
            var member = JSONObject()
            member.append("name", .string(step.name))
            member.append("task_id", .string(step.taskID.description))
            member.append("status", .string(task?.status.rawValue ?? "deleted"))
            member.append("assignee", task?.assignee?.json ?? .null)
            member.append("depends_on", .array(step.dependsOn.map(JSONValue.string)))
            member.append("blocked_by", .array((task?.blockedBy ?? []).map(JSONValue.string)))
            member.append("duration_hours", step.durationHours.map(Workflow.Step.hoursJSON) ?? .null)
            member.append("template_id", step.templateID.map(JSONValue.string) ?? .null)
            steps.append(.object(member))
        }
        object.append("steps", .array(steps))
        return .object(object)
    }
}
