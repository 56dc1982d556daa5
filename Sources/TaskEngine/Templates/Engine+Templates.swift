import JSON
import TaskStore

extension Engine {
    // MARK: Template writes

    /// Creates a template, with the id the client chose (`tpl_urgent`) or one the engine issues. A chosen id
    /// a live template has is ``EngineError/templateExists(_:)``.
    package func createTemplate(_ input: NewTemplate, by caller: Caller) throws(EngineError) -> Committed<TaskTemplate>
    {
        try authorize(.manageTemplates, caller)
        let chosen = try input.templateID.map(TemplateValidator.templateID)
        let name = try TemplateValidator.name(input.name)
        let description = try input.descriptionTemplate.map(TemplateValidator.descriptionTemplate)
        let title = try input.titleTemplate.map(TemplateValidator.titleTemplate)
        let priority = try input.defaultPriority.map(TemplateValidator.defaultPriority)
        let tags = try TemplateValidator.defaultTags(input.defaultTags)
        let assignee = try input.defaultAssignee.map(TemplateValidator.defaultAssignee)
        let checklist = try TemplateValidator.checklist(input.checklist)
        let at = state.eventTime(now: clock.now())
        let id: TemplateID
        if let chosen {
            guard !state.templates.contains(chosen) else { throw .templateExists(chosen.text) }
            id = chosen
        } else {
            // A client may have chosen an id of the issued form; skip it rather than refuse the creation.
            var ids = state.templates.ids
            var next = TemplateID(raw: ids.next(at: at))
            while state.templates.contains(next) { next = TemplateID(raw: ids.next(at: at)) }
            id = next
        }
        var template = TaskTemplate(id: id, name: name, createdAt: at, createdBy: caller.user)
        template.descriptionTemplate = description
        template.titleTemplate = title
        template.defaultPriority = priority
        template.defaultTags = tags
        template.defaultAssignee = assignee
        template.checklist = checklist
        var changes = JSONObject()
        for member in template.fields.members {
            switch member.value {
            case .null, .array([]): continue
            default: changes.append(member.key, ["old": .null, "new": member.value])
            }
        }
        let event = Event(
            seq: state.lastSeq + 1, type: .templateCreated, at: at, actor: caller.user, agent: caller.agent,
            subject: .template(id), version: 0, changes: changes, detail: template.json
        )
        let ticket = try commitTemplate(event)
        return Committed(template, ticket: ticket)
    }

    /// Changes fields of a template. Fields equal to their current value are not changes; when nothing
    /// changes, nothing is recorded and `updated` is `false`. Tasks made from it earlier keep what they got.
    package func updateTemplate(
        _ id: TemplateID, _ patch: TemplatePatch, requestOrder: [String] = [], by caller: Caller
    ) throws(EngineError) -> Committed<UpdatedTemplate> {
        try authorize(.manageTemplates, caller)
        let old = try state.templates.template(id)
        guard !patch.isEmpty else { throw .invalid("template_id", "Give at least one field to update.") }
        var template = old
        if let name = patch.name { template.name = try TemplateValidator.name(name) }
        if let text = patch.descriptionTemplate {
            template.descriptionTemplate = try text.map(TemplateValidator.descriptionTemplate)
        }
        if let text = patch.titleTemplate { template.titleTemplate = try text.map(TemplateValidator.titleTemplate) }
        if let text = patch.defaultPriority {
            template.defaultPriority = try text.map(TemplateValidator.defaultPriority)
        }
        if let tags = patch.defaultTags { template.defaultTags = try TemplateValidator.defaultTags(tags) }
        if let text = patch.defaultAssignee {
            template.defaultAssignee = try text.map(TemplateValidator.defaultAssignee)
        }
        if let checklist = patch.checklist { template.checklist = try TemplateValidator.checklist(checklist) }
        var changes = JSONObject()
        let before = old.fields
        for member in template.fields.members where before[member.key] != member.value {
            changes.append(member.key, ["old": before[member.key] ?? .null, "new": member.value])
        }
        let changed = changes.keys
        let updatedFields = changed.sorted {
            (requestOrder.firstIndex(of: $0) ?? Int.max) < (requestOrder.firstIndex(of: $1) ?? Int.max)
        }
        guard !changes.isEmpty else {
            return Committed(UpdatedTemplate(template: old, updatedFields: []), ticket: store.barrier())
        }
        let at = state.eventTime(now: clock.now())
        template.updatedAt = at
        let event = Event(
            seq: state.lastSeq + 1, type: .templateUpdated, at: at, actor: caller.user, agent: caller.agent,
            subject: .template(id), version: 0, changes: changes, detail: template.json
        )
        let ticket = try commitTemplate(event)
        return Committed(UpdatedTemplate(template: template, updatedFields: updatedFields), ticket: ticket)
    }

    /// Deletes a template; tasks made from it keep their `template_id` and checklist.
    package func deleteTemplate(_ id: TemplateID, by caller: Caller) throws(EngineError) -> Committed<DeletedTemplate> {
        try authorize(.manageTemplates, caller)
        let old = try state.templates.template(id)
        let event = Event(
            seq: state.lastSeq + 1, type: .templateDeleted, at: state.eventTime(now: clock.now()), actor: caller.user,
            agent: caller.agent, subject: .template(id), version: 0, changes: [:], detail: old.json
        )
        let ticket = try commitTemplate(event)
        return Committed(DeletedTemplate(templateID: id), ticket: ticket)
    }

    /// Journals a template event, then applies it. A refused append changes nothing.
    private func commitTemplate(_ event: Event) throws(EngineError) -> CommitTicket {
        let (change, ticket) = try commitChange(event)
        guard case .templates = change else { preconditionFailure("event \(event.seq) is not a template event") }
        return ticket
    }

    // MARK: Template reads

    /// A live template; every caller who may read tasks may read templates.
    package func template(_ id: TemplateID, for caller: Caller = .system) throws(EngineError) -> TaskTemplate {
        try authorize(.read, caller)
        return try state.templates.template(id)
    }

    /// A page of live templates in creation order.
    package func templates(
        page: Int = 1, limit: Int = 20, for caller: Caller = .system
    ) throws(EngineError)
        -> TemplatePage
    {
        try authorize(.read, caller)
        try IdentityValidator.paging(page: page, limit: limit)
        let all = state.templates.all
        return TemplatePage(templates: Array(all.page(page, limit: limit)), total: all.count, page: page, limit: limit)
    }

    // MARK: Tasks from templates

    /// Creates one task from a template: its `{{name}}` placeholders filled from `variables` in the title
    /// template (else the title is the template's name), the description template and every checklist text;
    /// its defaults applied unless the call gives `assignee`, `due_date`, `priority` or `tags`; the checklist
    /// copied with no item done; and `template_id` recorded. One `task_created` event, like `tasks.create`.
    ///
    /// A placeholder without a variable is ``EngineError/missingVariable(_:)``; unused variables are fine.
    package func createTask(_ input: TaskFromTemplate, by caller: Caller) throws(EngineError) -> Committed<CreatedTask>
    {
        try authorize(.create, caller)
        let task = try taskFromTemplate(input, by: caller)
        let (created, ticket) = try commitCreation(of: task, by: caller)
        return Committed(CreatedTask(task: created, replayed: false), ticket: ticket)
    }

    /// The task `tasks.create_from_template` would create, checked, not committed.
    func taskFromTemplate(_ input: TaskFromTemplate, by caller: Caller) throws(EngineError) -> TaskItem {
        let template = try state.templates.template(input.templateID)
        let now = clock.now()
        let variables = try TemplateValidator.variables(input.variables)
        let title = try Validator.title(try Placeholders.fill(template.titleTemplate ?? template.name, with: variables))
        let description = try template.descriptionTemplate.map { (text) throws(EngineError) in
            try Validator.description(try Placeholders.fill(text, with: variables))
        }
        var checklist: [TaskItem.ChecklistItem] = []
        for text in template.checklist {
            checklist.append(TaskItem.ChecklistItem(text: try Placeholders.fill(text, with: variables)))
        }
        _ = try TemplateValidator.checklist(checklist.map(\.text))
        let priority = try input.priority.map(Validator.priority) ?? template.defaultPriority ?? .medium
        let assignee = try input.assignee.map(Validator.assignee)
        let tags = try input.tags.map(Validator.tags) ?? template.defaultTags
        let context = try input.context.map(Validator.context) ?? []
        let due = try input.dueDate.map { (input) throws(EngineError) in
            try Validator.time(input, field: "due_date", error: "invalid_due_date")
        }
        if let due, due <= now {
            throw .invalidField(field: "due_date", error: "invalid_due_date", message: Validator.dueDateInFuture)
        }
        let at = state.eventTime(now: now)
        var ids = state.tasks.ids
        var task = TaskItem(rawID: ids.next(at: at), title: title, createdAt: at, createdBy: caller.user)
        task.description = description
        task.priority = priority
        task.assignee = assignee ?? template.defaultAssignee
        task.dueDate = due
        task.tags = tags
        task.context = context
        task.checklist = checklist
        task.templateID = template.id
        return task
    }

    /// Commits the `task_created` event of a new task; `firing` records the automation that made it.
    func commitCreation(
        of task: TaskItem, by caller: Caller, firing: AutomationFiring? = nil
    ) throws(EngineError)
        -> (TaskItem, CommitTicket)
    {
        let event = Event(
            seq: state.lastSeq + 1, type: .taskCreated, at: task.createdAt, actor: caller.user, agent: caller.agent,
            subject: .task(task.id), version: 1, changes: TaskField.creation(of: task), detail: firing?.json
        )
        return try commit(event)
    }
}
