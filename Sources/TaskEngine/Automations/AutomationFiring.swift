package import JSON

/// What a task created by an automation carries in its `task_created` event (`automation` member): the
/// automation, the published event that fired it, the depth of its effects and the automation's new
/// round-robin cursor, so the automation's firing commits with the task, in the same record.
package struct AutomationFiring: Sendable, Equatable {
    package var automationID: AutomationID
    package var eventID: String
    /// The depth of the task's creation: the published event's depth plus one.
    package var depth: Int
    /// The automation's cursor after this firing.
    package var assignCursor: Int

    package var json: JSONValue {
        [
            "automation_id": .string(automationID.description),
            "event_id": .string(eventID),
            "depth": .int(depth),
            "assign_cursor": .int(assignCursor),
        ]
    }

    init?(json value: JSONValue?) {
        guard let object = value?.objectValue,
            let id = object["automation_id"]?.stringValue.flatMap(AutomationID.init),
            let eventID = object["event_id"]?.stringValue, let depth = object["depth"]?.intValue,
            let cursor = object["assign_cursor"]?.intValue
        else { return nil }
        self.init(automationID: id, eventID: eventID, depth: depth, assignCursor: cursor)
    }

    package init(automationID: AutomationID, eventID: String, depth: Int, assignCursor: Int) {
        self.automationID = automationID
        self.eventID = eventID
        self.depth = depth
        self.assignCursor = assignCursor
    }

    /// The key under which the ledger remembers that the event fired the automation.
    var key: String { eventID + "\u{1F}" + automationID.description }
}
