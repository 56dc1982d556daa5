package import JSON

/// What `events.publish` did: the automations it fired with their tasks, and the matching ones it skipped.
package struct PublishResult: Sendable {
    package struct Skipped: Sendable {
        package var automationID: AutomationID
        /// `already_fired`, `template_not_found`, `missing_variable` or `depth_limit`.
        package var reason: String
    }

    package var eventID: String
    package var fired: [(automationID: AutomationID, task: TaskItem)]
    package var skipped: [Skipped]

    /// `{event_id, fired: [{automation_id, task_id}], skipped: [{automation_id, reason}], tasks: [task…]}`.
    package func json(directory: any UserDirectory) -> JSONValue {
        [
            "event_id": .string(eventID),
            "fired": .array(
                fired.map {
                    ["automation_id": .string($0.automationID.description), "task_id": .string($0.task.id.description)]
                }
            ),
            "skipped": .array(
                skipped.map { ["automation_id": .string($0.automationID.description), "reason": .string($0.reason)] }),
            "tasks": .array(fired.map { $0.task.detailJSON(directory: directory) }),
        ]
    }
}
