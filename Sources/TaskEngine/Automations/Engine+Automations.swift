package import JSON
import TaskStore

extension Engine {
    // MARK: Automation writes

    /// Creates an automation; its template must exist.
    package func createAutomation(
        _ input: NewAutomation, by caller: Caller
    ) throws(EngineError)
        -> Committed<Automation>
    {
        try authorize(.manageAutomations, caller)
        guard let name = input.name else { throw .invalid("name", "Field name is required.") }
        guard let trigger = input.trigger else { throw .invalid("trigger", "Field trigger is required.") }
        guard let action = input.action else { throw .invalid("action", "Field action is required.") }
        let at = state.eventTime(now: clock.now())
        var ids = state.automations.ids
        var automation = Automation(
            id: AutomationID(raw: ids.next(at: at)), name: "", tag: "", template: TemplateID(raw: 0), createdAt: at,
            createdBy: caller.user)
        automation.name = try AutomationValidator.name(name)
        try AutomationValidator.apply(trigger: trigger, to: &automation)
        try AutomationValidator.apply(action: action, to: &automation, templates: state.templates)
        automation.enabled = input.enabled ?? true
        let ticket = try commitAutomation(.automationCreated, automation, by: caller)
        return Committed(automation, ticket: ticket)
    }

    /// Changes an automation: `trigger` and `action` are replaced whole when given.
    package func updateAutomation(
        _ id: AutomationID, _ input: NewAutomation, by caller: Caller
    ) throws(EngineError)
        -> Committed<Automation>
    {
        try authorize(.manageAutomations, caller)
        let old = try state.automations.automation(id)
        guard input.name != nil || input.trigger != nil || input.action != nil || input.enabled != nil else {
            throw .invalid("automation_id", "Give at least one field to update.")
        }
        var automation = old
        if let name = input.name { automation.name = try AutomationValidator.name(name) }
        if let trigger = input.trigger { try AutomationValidator.apply(trigger: trigger, to: &automation) }
        if let action = input.action {
            try AutomationValidator.apply(action: action, to: &automation, templates: state.templates)
        }
        if let enabled = input.enabled { automation.enabled = enabled }
        guard automation != old else { return Committed(old, ticket: store.barrier()) }
        automation.updatedAt = state.eventTime(now: clock.now())
        let ticket = try commitAutomation(.automationUpdated, automation, by: caller)
        return Committed(automation, ticket: ticket)
    }

    /// Deletes an automation; the tasks it created stay.
    package func deleteAutomation(_ id: AutomationID, by caller: Caller) throws(EngineError) -> Committed<AutomationID>
    {
        try authorize(.manageAutomations, caller)
        let old = try state.automations.automation(id)
        let ticket = try commitAutomation(.automationDeleted, old, by: caller)
        return Committed(id, ticket: ticket)
    }

    private func commitAutomation(
        _ type: EventType, _ automation: Automation, by caller: Caller
    ) throws(EngineError) -> CommitTicket {
        let event = Event(
            seq: state.lastSeq + 1, type: type, at: state.eventTime(now: clock.now()), actor: caller.user,
            agent: caller.agent, subject: .automation(automation.id), version: 0, changes: [:],
            detail: automation.json
        )
        let (change, ticket) = try commitChange(event)
        guard case .automations = change else { preconditionFailure("event \(event.seq) is not an automation event") }
        return ticket
    }

    // MARK: Automation reads

    /// A live automation.
    package func automation(_ id: AutomationID, for caller: Caller = .system) throws(EngineError) -> Automation {
        try authorize(.read, caller)
        return try state.automations.automation(id)
    }

    /// A page of live automations in creation order: `{automations, total, page, limit}`.
    package func automations(
        page: Int = 1, limit: Int = 20, for caller: Caller = .system
    ) throws(EngineError)
        -> JSONValue
    {
        try authorize(.read, caller)
        try IdentityValidator.paging(page: page, limit: limit)
        let all = state.automations.all
        return [
            "automations": .array(all.page(page, limit: limit).map(\.json)), "total": .int(all.count),
            "page": .int(page),
            "limit": .int(limit),
        ]
    }

    // MARK: Publishing

    /// Fires every enabled automation whose trigger matches a published host event, in creation order: each
    /// creates one task from its template (one `task_created` event carrying the firing, see
    /// ``AutomationFiring``). An event id that already fired an automation fires it no more; an event at
    /// ``AutomationLimits/maxDepth`` or deeper fires nothing.
    package func publish(_ input: PublishedEvent, by caller: Caller) throws(EngineError) -> Committed<PublishResult> {
        try authorize(.publishEvents, caller)
        guard input.type == "conversation_tag" else {
            throw .invalid("type", "Event type must be conversation_tag, not \(input.type).")
        }
        let value = try AutomationValidator.value(input.value, field: "value")
        let context = try Validator.context(input.context)
        guard input.depth >= 0 else { throw .invalid("depth", "Depth must be 0 or more.") }
        let eventID: String
        if let given = input.eventID {
            eventID = try Validator.nonEmpty(given, "event_id", AutomationLimits.eventIDLength)
        } else {
            // The value the next task id would take: any firing under this id consumes it, so a later call
            // can only get the same id when nothing fired under it, and then repeating it changes nothing.
            var ids = TaskIDGenerator()
            ids.observe(state.tasks.ids.last)
            eventID = Base32ID.text(ids.next(at: clock.now()), prefix: "evt_")
        }
        var result = PublishResult(eventID: eventID, fired: [], skipped: [])
        var ticket = store.barrier()
        let matching = state.automations.all.filter { $0.enabled && $0.taskEvent == nil && $0.tag == value }
        for automation in matching {
            func skip(_ reason: String) { result.skipped.append(.init(automationID: automation.id, reason: reason)) }
            guard input.depth < AutomationLimits.maxDepth else {
                skip("depth_limit")
                continue
            }
            guard !state.automations.fired(automation.id, eventID: eventID) else {
                skip("already_fired")
                continue
            }
            var call = TaskFromTemplate(templateID: automation.template)
            var variables: JSONObject = ["tag": .string(value), "event_id": .string(eventID)]
            for entry in context { variables[entry.key] = .string(entry.value) }
            call.variables = variables
            call.priority = automation.priority?.rawValue
            call.context = JSONObject(context.map { (key: $0.key, value: JSONValue.string($0.value)) })
            var task: TaskItem
            do { task = try taskFromTemplate(call, by: caller) } catch {
                switch error {
                case .templateNotFound: skip("template_not_found")
                case .missingVariable: skip("missing_variable")
                default: throw error
                }
                continue
            }
            var cursor = automation.assignCursor
            if automation.autoAssign, let chosen = leastLoaded(automation, cursor: &cursor) { task.assignee = chosen }
            let firing = AutomationFiring(
                automationID: automation.id, eventID: eventID, depth: input.depth + 1, assignCursor: cursor)
            let (created, committed) = try commitCreation(of: task, by: caller, firing: firing)
            result.fired.append((automation.id, created))
            ticket = committed
        }
        return Committed(result, ticket: ticket)
    }

    /// `auto_assign`: of the pool (or every user with role `member`), the users with the fewest open tasks
    /// assigned; among them the one at `cursor` (modulo their number), and the cursor moves on.
    func leastLoaded(_ automation: Automation, cursor: inout Int) -> UserID? {
        Self.leastLoaded(automation, cursor: &cursor, in: state)
    }

    /// ``leastLoaded(_:cursor:)`` against a given state (one that a record being built leaves).
    static func leastLoaded(_ automation: Automation, cursor: inout Int, in state: EngineState) -> UserID? {
        let candidates =
            automation.assigneePool.isEmpty
            ? state.identity.allUsers.filter { $0.role == .member }.map(\.userID) : automation.assigneePool
        guard !candidates.isEmpty else { return nil }
        let loads = candidates.map { user in
            var open = 0
            state.tasks.indexes.byAssignee[user]?.forEach { slot in
                if state.tasks.task(at: slot).status.isOpen { open += 1 }
                return true
            }
            return open
        }
        let least = loads.min() ?? 0
        let tied = zip(candidates, loads).filter { $0.1 == least }.map(\.0)
        let chosen = tied[((cursor % tied.count) + tied.count) % tied.count]
        cursor += 1
        return chosen
    }
}
