extension Engine {
    /// What a step's template gives the step's task: the template's description, checklist, priority, tags
    /// and assignee, with its placeholders filled, and the template's id.
    struct StepTemplate: Sendable {
        var templateID: TemplateID
        var description: String?
        var checklist: [TaskItem.ChecklistItem]
        var priority: TaskPriority
        var tags: [String]
        var assignee: UserID?
    }

    /// The template of a step (`template_id`), filled for it, or `nil` for a step without one.
    ///
    /// Placeholders take their values from the workflow's `context` (`{{conversation_id}}`), `{{workflow}}`
    /// (the workflow's name) and `{{step}}` (the step's name). A template that does not exist is 404
    /// `template_not_found`; a placeholder without a value is -32602 `missing_variable`; either refuses the
    /// whole write.
    func stepTemplate(
        _ step: NewWorkflowStep, workflowName: String, context: [TaskItem.ContextEntry]
    ) throws(EngineError) -> StepTemplate? {
        guard let text = step.templateID else { return nil }
        guard let id = TemplateID(text) else { throw .templateNotFound(text) }
        let template = try state.templates.template(id)
        var variables: [String: String] = [:]
        for entry in context { variables[entry.key] = entry.value }
        variables["workflow"] = workflowName
        variables["step"] = step.name
        let description = try template.descriptionTemplate.map { (text) throws(EngineError) in
            try Validator.description(try Placeholders.fill(text, with: variables))
        }
        var checklist: [TaskItem.ChecklistItem] = []
        for item in template.checklist {
            checklist.append(TaskItem.ChecklistItem(text: try Placeholders.fill(item, with: variables)))
        }
        return StepTemplate(
            templateID: template.id, description: description, checklist: checklist,
            priority: template.defaultPriority ?? .medium, tags: template.defaultTags,
            assignee: template.defaultAssignee)
    }
}
