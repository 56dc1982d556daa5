import JSON

extension Engine {
    /// The `task_created` events that a committed task event fires: one for each enabled `task_event`
    /// automation, in creation order, whose event is one of the feed types the event yields and whose
    /// conditions the task (as the event leaves it) meets.
    ///
    /// The firing's `event_id` is the triggering feed event's id, so an automation fires once per feed event.
    /// Its depth is the triggering event's plus one: a task an automation created carries its firing's depth,
    /// every other change is depth 0, and an event at ``AutomationLimits/maxDepth`` fires nothing. A template
    /// that is gone or cannot be filled skips its automation; the triggering write goes on.
    ///
    /// - Parameters:
    ///   - state: the state with `event` (and everything before it in its record) applied.
    ///   - ids: issues the new tasks' ids.
    ///   - cursors: the round-robin cursors already moved by firings of this record not yet applied.
    func taskEventFirings(
        of event: Event, task: TaskItem, in state: EngineState, ids: inout TaskIDGenerator,
        cursors: inout [AutomationID: Int]
    ) -> [Event] {
        var firings: [Event] = []
        for (automation, eventID, depth) in Self.taskEventMatches(of: event, task: task, in: state) {
            var call = TaskFromTemplate(templateID: automation.template)
            var variables: JSONObject = [:]
            for entry in task.context { variables[entry.key] = .string(entry.value) }
            variables["task_id"] = .string(task.id.description)
            variables["title"] = .string(task.title)
            call.variables = variables
            call.priority = automation.priority?.rawValue
            call.context = JSONObject(task.context.map { (key: $0.key, value: JSONValue.string($0.value)) })
            guard var created = try? taskFromTemplate(call, by: Caller(user: event.actor)) else { continue }
            created.rawID = ids.next(at: created.createdAt)
            var cursor = cursors[automation.id] ?? automation.assignCursor
            if automation.autoAssign, let chosen = Self.leastLoaded(automation, cursor: &cursor, in: state) {
                created.assignee = chosen
            }
            cursors[automation.id] = cursor
            let firing = AutomationFiring(
                automationID: automation.id, eventID: eventID, depth: depth, assignCursor: cursor)
            firings.append(
                Event(
                    seq: 0, type: .taskCreated, at: created.createdAt, actor: event.actor, agent: event.agent,
                    subject: .task(created.id), version: 1, changes: TaskField.creation(of: created),
                    detail: firing.json))
        }
        return firings
    }

    /// The enabled `task_event` automations a committed task event matches, in creation order, with the
    /// triggering feed event's id and the depth their firings record; none at the depth limit.
    static func taskEventMatches(
        of event: Event, task: TaskItem, in state: EngineState
    ) -> [(automation: Automation, eventID: String, depth: Int)] {
        guard !event.isInternal, event.type.domain == .tasks else { return [] }
        let depth = event.type == .taskCreated ? AutomationFiring(json: event.detail)?.depth ?? 0 : 0
        guard depth < AutomationLimits.maxDepth else { return [] }
        let types = event.type.domain.feedTypes(of: event, task: task)
        var matches: [(automation: Automation, eventID: String, depth: Int)] = []
        for automation in state.automations.all where automation.enabled {
            guard let trigger = automation.taskEvent, let index = types.firstIndex(of: trigger.event),
                trigger.matches(task)
            else { continue }
            let eventID = FeedCursor(seq: event.seq, index: UInt16(index)).description
            guard !state.automations.fired(automation.id, eventID: eventID) else { continue }
            matches.append((automation, eventID, depth + 1))
        }
        return matches
    }
}
