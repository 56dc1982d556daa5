package import JSON

/// A task that `tasks.complete` completed.
package struct CompletedTask: Sendable {
    package var task: TaskItem

    /// `{task_id, status, completed_at, completed_by, progress, time_spent_minutes, resolution, outcomes, version}`.
    package var json: JSONValue {
        [
            "task_id": .string(task.id.description),
            "status": .string(task.status.rawValue),
            "completed_at": TaskField.completedAt.value(of: task),
            "completed_by": TaskField.completedBy.value(of: task),
            "progress": .int(task.progress),
            "time_spent_minutes": .int(task.timeSpentMinutes),
            "resolution": TaskField.resolution.value(of: task),
            "outcomes": TaskField.outcomes.value(of: task),
            "version": .int(task.version),
        ]
    }
}
