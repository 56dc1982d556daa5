import JSON

/// The templates domain: every live template, in creation order, and the template id generator.
///
/// Changes arrive only as template events (`template_created`, `template_updated`, `template_deleted`),
/// each carrying the whole template in its `template` member (after the change; as it was, for a
/// deletion), so replay and the event feed need nothing else. Template events belong to no task's
/// history. Tasks made from a template are task events: they name the template in `template_id` but do
/// not change it.
struct TemplateLedger: Ledger {
    /// A checked template event, ready to commit without failing.
    struct Change: Sendable {
        var id: TemplateID
        /// The template after the change; `nil` once deleted.
        var new: TaskTemplate?
    }

    static let lineKinds: [SnapshotLine.Kind] = [.template, .templateCounter]

    private(set) var templates: [TemplateID: TaskTemplate] = [:]
    /// Live template ids in creation order: the order of `templates.list`, snapshots and export.
    private(set) var order: [TemplateID] = []
    /// Issues template ids; observes every issued-form id seen so later ids sort after it.
    var ids = TaskIDGenerator()

    /// A live template.
    func template(_ id: TemplateID) throws(EngineError) -> TaskTemplate {
        guard let template = templates[id] else { throw .templateNotFound(id.text) }
        return template
    }

    /// Whether a live template has this id.
    func contains(_ id: TemplateID) -> Bool { templates[id] != nil }

    /// Every live template in creation order.
    var all: [TaskTemplate] { order.compactMap { templates[$0] } }

    // MARK: Events

    func prepare(_ event: Event, in state: EngineState) throws(EngineError) -> Change {
        func damaged(_ detail: String) -> EngineError { .damaged("event \(event.seq) \(detail)") }
        guard case .template(let id) = event.subject else { throw damaged("is not a template event") }
        guard let detail = event.detail else { throw damaged("carries no template") }
        let template = try TaskTemplate(json: detail)
        guard template.id == id else { throw damaged("carries another template than its subject") }
        switch event.type {
        case .templateCreated:
            guard templates[id] == nil else { throw damaged("creates an existing template") }
            return Change(id: id, new: template)
        case .templateUpdated:
            guard templates[id] != nil else { throw damaged("changes a template that does not exist") }
            return Change(id: id, new: template)
        case .templateDeleted:
            guard templates[id] != nil else { throw damaged("deletes a template that does not exist") }
            return Change(id: id, new: nil)
        default:
            throw damaged("is not a template event")
        }
    }

    mutating func apply(_ change: Change, of event: Event) {
        if let raw = change.id.raw { ids.observe(raw) }
        guard let new = change.new else {
            templates[change.id] = nil
            order.removeAll { $0 == change.id }
            return
        }
        if templates[change.id] == nil { order.append(change.id) }
        templates[change.id] = new
    }

    // MARK: Snapshots

    /// One line per live template in creation order, then the id generator's newest value when it issued
    /// any (a deleted template's id is never issued again).
    func writeSnapshot(into writer: inout SnapshotWriter, state: EngineState) {
        for template in all { writer.write(.template, template.json.objectValue ?? [:]) }
        if ids.last > 0 {
            writer.write(.templateCounter, ["last_template_id": .string(TemplateID(raw: ids.last).text)])
        }
    }

    mutating func load(_ lines: [SnapshotLine.Kind: [SnapshotLine]], state: EngineState) throws(EngineError) {
        for line in lines[.template] ?? [] {
            let template = try TaskTemplate(json: .object(line.object()))
            guard templates[template.id] == nil else { throw .damaged("template \(template.id) appears twice") }
            insert(template)
        }
        for line in lines[.templateCounter] ?? [] {
            guard let raw = try line.object()["last_template_id"]?.stringValue.flatMap(TemplateID.init)?.raw else {
                throw .damaged("the template id counter is malformed")
            }
            ids.observe(raw)
        }
    }

    private mutating func insert(_ template: TaskTemplate) {
        if let raw = template.id.raw { ids.observe(raw) }
        order.append(template.id)
        templates[template.id] = template
    }

    // MARK: Export and import

    /// `templates` in creation order; left out when there are none, so documents of stores without
    /// templates stay as the first release wrote them.
    func export(into document: inout JSONObject, state: EngineState) {
        guard !order.isEmpty else { return }
        document.append("templates", .array(all.map(\.json)))
    }

    /// Templates come from the events; the document's list (absent when empty) must agree with them.
    mutating func importMembers(of document: JSONObject, state: EngineState) throws(EngineError) {
        let listed = document["templates"]?.arrayValue ?? []
        guard listed == all.map(\.json) else {
            throw .damaged("the document's templates do not match its events")
        }
    }
}

extension SnapshotLine.Kind {
    static let template = Self(rawValue: "template")
    static let templateCounter = Self(rawValue: "template_counter")
}
