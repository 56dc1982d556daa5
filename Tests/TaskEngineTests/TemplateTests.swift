import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// Templates and tasks made from them: placeholders, defaults and overrides, checklists, permissions, and
/// persistence through replay, snapshots and export.
@Suite(.closesTestStores)
struct TemplateTests {
    /// The spec's "Create Template" body, verbatim.
    static func customerComplaint() -> NewTemplate {
        var input = NewTemplate(name: "Customer Complaint")
        input.descriptionTemplate = "Investigate issue: {{issue_id}}"
        input.defaultPriority = "high"
        input.defaultTags = ["support"]
        input.checklist = ["Review conversation history", "Contact customer", "Provide resolution", "Follow up"]
        return input
    }

    static let agent = Caller(user: "bot1", role: .agent)
    static let member = Caller(user: "user456", role: .member)

    func makeTemplate(_ fixture: Fixture, _ input: NewTemplate = customerComplaint()) async throws -> TaskTemplate {
        try await fixture.engine.createTemplate(input, by: Self.agent).value
    }

    @Test func theSpecsCustomerComplaintMakesATask() async throws {
        let fixture = try Fixture()
        let template = try await makeTemplate(fixture)
        #expect(template.id.text.hasPrefix("tpl_") && template.id.text.count == 17)
        #expect(template.variables == ["issue_id"])

        // The spec's "Create Task from Template" body, verbatim (its tpl_123 is this template).
        var input = TaskFromTemplate(templateID: template.id)
        input.variables = ["issue_id": "#1234"]
        input.assignee = "user456"
        input.dueDate = .text("2024-01-20T17:00:00Z")
        let created = try await fixture.engine.createTask(input, by: Self.member).value
        let task = created.task
        #expect(task.title == "Customer Complaint")
        #expect(task.description == "Investigate issue: #1234")
        #expect(task.priority == .high)
        #expect(task.tags == ["support"])
        #expect(task.assignee == "user456")
        #expect(task.dueDate == Timestamp(rfc3339: "2024-01-20T17:00:00Z"))
        #expect(task.templateID == template.id)
        #expect(task.checklist.map(\.text) == template.checklist)
        #expect(task.checklist.allSatisfy { !$0.done })
        #expect(task.createdBy == "user456")

        // One task_created event carries everything, template_id and checklist included.
        let events = try await fixture.engine.events(after: 0, limit: 10)
        #expect(events.map(\.type) == [.templateCreated, .taskCreated])
        let changes = events[1].changes
        #expect(changes["template_id"]?["new"] == .string(template.id.text))
        #expect(changes["checklist"]?["new"]?.arrayValue?.count == 4)
        #expect(
            changes["checklist"]?["new"]?.arrayValue?.first == ["text": "Review conversation history", "done": false])

        // The wire form shows both on every task.
        let detail = created.json(directory: fixture.engine.directory)
        #expect(detail["template_id"] == .string(template.id.text))
        #expect(detail["checklist"]?.arrayValue?.count == 4)
    }

    @Test func placeholdersFillEveryTextAndAllowInnerBlanks() async throws {
        let fixture = try Fixture()
        var input = NewTemplate(name: "Refund")
        input.titleTemplate = "Refund {{ order.id }} for {{customer-name}}"
        input.descriptionTemplate = "Order {{order.id}}: {{amount}} EUR. Literal: {{}} {{two words}} {x}"
        input.checklist = ["Check {{order.id}}", "Pay {{amount}}"]
        let template = try await makeTemplate(fixture, input)
        #expect(template.variables == ["order.id", "customer-name", "amount"])
        var call = TaskFromTemplate(templateID: template.id)
        call.variables = [
            "order.id": "A-17", "customer-name": "Ann {{amount}}", "amount": .number("12.50"), "unused": "x",
        ]
        let task = try await fixture.engine.createTask(call, by: .system).value.task
        #expect(task.title == "Refund A-17 for Ann {{amount}}")
        #expect(task.description == "Order A-17: 12.50 EUR. Literal: {{}} {{two words}} {x}")
        #expect(task.checklist.map(\.text) == ["Check A-17", "Pay 12.50"])
    }

    @Test func aMissingVariableIsRefusedNamingItAndChangesNothing() async throws {
        let fixture = try Fixture()
        let template = try await makeTemplate(fixture)
        let seq = await fixture.engine.lastSeq
        let error = await engineError {
            _ = try await fixture.engine.createTask(TaskFromTemplate(templateID: template.id), by: .system)
        }
        #expect(error == .missingVariable("issue_id"))
        #expect(error?.json["variable"] == "issue_id")
        #expect(error?.name == "missing_variable")
        #expect(await fixture.engine.lastSeq == seq)

        var call = TaskFromTemplate(templateID: template.id)
        call.variables = ["issue_id": true]
        let typed = await engineError { _ = try await fixture.engine.createTask(call, by: .system) }
        #expect(typed?.details["field"] == "variables.issue_id")
    }

    @Test func explicitParamsOverrideTheDefaults() async throws {
        let fixture = try Fixture()
        var input = Self.customerComplaint()
        input.defaultAssignee = "user789"
        input.titleTemplate = "Complaint {{issue_id}}"
        let template = try await makeTemplate(fixture, input)

        var plain = TaskFromTemplate(templateID: template.id)
        plain.variables = ["issue_id": .number("1234")]
        let defaults = try await fixture.engine.createTask(plain, by: .system).value.task
        #expect(defaults.title == "Complaint 1234")
        #expect(defaults.assignee == "user789")
        #expect(defaults.priority == .high)
        #expect(defaults.tags == ["support"])

        var call = plain
        call.assignee = "user456"
        call.priority = "critical"
        call.tags = ["vip"]
        call.context = ["conversation_id": "conv_abc123"]
        let overridden = try await fixture.engine.createTask(call, by: .system).value.task
        #expect(overridden.assignee == "user456")
        #expect(overridden.priority == .critical)
        #expect(overridden.tags == ["vip"])
        #expect(overridden.context == [.init(key: "conversation_id", value: "conv_abc123")])

        // Without defaults, the task gets the task defaults.
        let bare = try await makeTemplate(fixture, NewTemplate(name: "Bare"))
        let task = try await fixture.engine.createTask(TaskFromTemplate(templateID: bare.id), by: .system).value.task
        #expect(task.title == "Bare" && task.priority == .medium && task.tags.isEmpty && task.checklist.isEmpty)
        #expect(task.templateID == bare.id)
    }

    @Test func checklistItemsAreTickedOneByOne() async throws {
        let fixture = try Fixture()
        let template = try await makeTemplate(fixture)
        var call = TaskFromTemplate(templateID: template.id)
        call.variables = ["issue_id": "#1"]
        let task = try await fixture.engine.createTask(call, by: .system).value.task

        let ticked = try await fixture.update(task.id) {
            $0.check = [.init(index: 0, done: true), .init(index: 2, done: true)]
        }
        #expect(ticked.updatedFields == ["checklist"])
        #expect(ticked.task.checklist.map(\.done) == [true, false, true, false])
        #expect(ticked.task.version == 2)

        let again = try await fixture.update(task.id) { $0.check = [.init(index: 0, done: true)] }
        #expect(again.updatedFields.isEmpty)

        let untick = try await fixture.update(task.id) { $0.check = [.init(index: 2, done: false)] }
        #expect(untick.task.checklist.map(\.done) == [true, false, false, false])

        let outOfRange = await engineError {
            try await fixture.update(task.id) { $0.check = [.init(index: 0, done: true), .init(index: 4, done: true)] }
        }
        #expect(outOfRange?.details["field"] == "check[1].index")
        #expect(try await fixture.engine.task(task.id).checklist.map(\.done) == [true, false, false, false])

        let replaced = try await fixture.update(task.id) {
            $0.checklist = [.init(text: "Only step"), .init(text: "Done step", done: true)]
            $0.check = [.init(index: 0, done: true)]
        }
        #expect(
            replaced.task.checklist == [.init(text: "Only step", done: true), .init(text: "Done step", done: true)])

        let cleared = try await fixture.update(task.id) { $0.checklist = [] }
        #expect(cleared.task.checklist.isEmpty)
        let empty = await engineError {
            try await fixture.update(task.id) { $0.checklist = [.init(text: "  ")] }
        }
        #expect(empty?.details["field"] == "checklist")
    }

    @Test func chosenIdsFollowThePatternAndAreUnique() async throws {
        let fixture = try Fixture()
        var input = NewTemplate(name: "Urgent")
        input.templateID = "tpl_urgent"
        let template = try await makeTemplate(fixture, input)
        #expect(template.id.text == "tpl_urgent")
        let taken = await engineError { _ = try await makeTemplate(fixture, input) }
        #expect(taken == .templateExists("tpl_urgent"))
        #expect(taken?.name == "already_exists")
        for bad in [
            "urgent", "tpl_", "tpl_has space", "tpl_ünicode", "tsk_urgent", "tpl_" + String(repeating: "a", count: 65),
        ] {
            input.templateID = bad
            let error = await engineError { _ = try await makeTemplate(fixture, input) }
            #expect(error?.details["field"] == "template_id", "\(bad)")
        }
        // After deletion the id is free again.
        _ = try await fixture.engine.deleteTemplate(template.id, by: Self.agent)
        input.templateID = "tpl_urgent"
        #expect(try await makeTemplate(fixture, input).id.text == "tpl_urgent")
    }

    /// A template with one bad field, by case name.
    static func badTemplate(_ name: String) -> NewTemplate {
        var input = NewTemplate(name: "T")
        switch name {
        case "blank name": input.name = " "
        case "long name": input.name = String(repeating: "n", count: 201)
        case "empty title": input.titleTemplate = ""
        case "long title": input.titleTemplate = String(repeating: "t", count: 501)
        case "long description": input.descriptionTemplate = String(repeating: "d", count: 20_001)
        case "bad priority": input.defaultPriority = "urgent"
        case "empty tag": input.defaultTags = [""]
        case "many tags": input.defaultTags = (0..<21).map { "t\($0)" }
        case "empty assignee": input.defaultAssignee = ""
        case "empty item": input.checklist = [""]
        case "many items": input.checklist = Array(repeating: "x", count: 51)
        default: input.checklist = [String(repeating: "c", count: 501)]
        }
        return input
    }

    @Test(arguments: [
        ("blank name", "name"), ("long name", "name"), ("empty title", "title_template"),
        ("long title", "title_template"), ("long description", "description_template"),
        ("bad priority", "default_priority"), ("empty tag", "default_tags"), ("many tags", "default_tags"),
        ("empty assignee", "default_assignee"), ("empty item", "checklist"), ("many items", "checklist"),
        ("long item", "checklist"),
    ])
    func badTemplatesAreRefusedNamingTheField(name: String, field: String) async throws {
        let fixture = try Fixture()
        let error = await engineError { _ = try await makeTemplate(fixture, Self.badTemplate(name)) }
        #expect(error?.details["field"] == .string(field))
        #expect(await fixture.engine.lastSeq == 0)
    }

    @Test func updatesArePartialAndNullClears() async throws {
        let fixture = try Fixture()
        var input = Self.customerComplaint()
        input.titleTemplate = "Complaint {{issue_id}}"
        input.defaultAssignee = "user789"
        let template = try await makeTemplate(fixture, input)
        fixture.clock.advance(seconds: 60)
        var patch = TemplatePatch()
        patch.name = "Complaint"
        patch.titleTemplate = .some(nil)
        patch.defaultAssignee = .some(nil)
        patch.defaultPriority = .some("critical")
        let updated = try await fixture.engine.updateTemplate(
            template.id, patch, requestOrder: ["template_id", "default_priority", "name"], by: Self.agent
        ).value
        #expect(updated.updatedFields == ["default_priority", "name", "title_template", "default_assignee"])
        #expect(updated.template.name == "Complaint")
        #expect(updated.template.titleTemplate == nil)
        #expect(updated.template.defaultAssignee == nil)
        #expect(updated.template.defaultPriority == .critical)
        #expect(updated.template.checklist == input.checklist)
        #expect(updated.template.updatedAt == Timestamp(rfc3339: "2024-01-15T10:01:00Z"))
        #expect(updated.json["updated"] == true)

        let same = try await fixture.engine.updateTemplate(template.id, patch, by: Self.agent).value
        #expect(same.updatedFields.isEmpty)
        #expect(try await fixture.engine.template(template.id) == updated.template)

        let event = try #require(try await fixture.engine.events(after: 1, limit: 10).first)
        #expect(event.type == .templateUpdated)
        #expect(event.changes["name"] == ["old": "Customer Complaint", "new": "Complaint"])
        #expect(event.detail == updated.template.json)
        #expect(event.json["template"] == updated.template.json)
        #expect(event.json["template_id"] == .string(template.id.text))
        #expect(event.json["version"] == nil)
    }

    @Test func unknownTemplatesAreNotFound() async throws {
        let fixture = try Fixture()
        let id = try #require(TemplateID("tpl_123"))
        let expected = EngineError.templateNotFound("tpl_123")
        #expect(await engineError { _ = try await fixture.engine.template(id) } == expected)
        #expect(await engineError { _ = try await fixture.engine.deleteTemplate(id, by: .system) } == expected)
        #expect(
            await engineError {
                var patch = TemplatePatch()
                patch.name = "x"
                _ = try await fixture.engine.updateTemplate(id, patch, by: .system)
            } == expected)
        #expect(
            await engineError { _ = try await fixture.engine.createTask(TaskFromTemplate(templateID: id), by: .system) }
                == expected)
        #expect(expected.json["template_id"] == "tpl_123")
    }

    @Test func membersReadAndUseTemplatesButDoNotChangeThem() async throws {
        let fixture = try Fixture()
        let template = try await makeTemplate(fixture)
        let denied = await engineError {
            _ = try await fixture.engine.createTemplate(NewTemplate(name: "M"), by: Self.member)
        }
        #expect(denied?.name == "permission_denied")
        var patch = TemplatePatch()
        patch.name = "M"
        #expect(
            await engineError { _ = try await fixture.engine.updateTemplate(template.id, patch, by: Self.member) }?.name
                == "permission_denied")
        #expect(
            await engineError { _ = try await fixture.engine.deleteTemplate(template.id, by: Self.member) }?.name
                == "permission_denied")
        let onBehalf = Caller(user: "user456", agent: "bot1", role: .member)
        #expect(
            await engineError { _ = try await fixture.engine.deleteTemplate(template.id, by: onBehalf) }?.name
                == "permission_denied")

        #expect(try await fixture.engine.template(template.id, for: Self.member) == template)
        #expect(try await fixture.engine.templates(for: Self.member).total == 1)
        var call = TaskFromTemplate(templateID: template.id)
        call.variables = ["issue_id": "#9"]
        let task = try await fixture.engine.createTask(call, by: Self.member).value.task
        // The member may work on the task it made.
        _ = try await fixture.engine.update(
            task.id,
            {
                var patch = TaskPatch(); patch.check = [.init(index: 0, done: true)]; return patch
            }(), by: Self.member)
        // Admins manage templates too.
        _ = try await fixture.engine.deleteTemplate(template.id, by: .system)
    }

    @Test func listIsPagedInCreationOrder() async throws {
        let fixture = try Fixture()
        var ids: [TemplateID] = []
        for index in 0..<5 {
            var input = NewTemplate(name: "T\(index)")
            if index == 2 { input.templateID = "tpl_aaa" }
            ids.append(try await makeTemplate(fixture, input).id)
        }
        let page = try await fixture.engine.templates(page: 2, limit: 2)
        #expect(page.templates.map(\.id) == Array(ids[2..<4]))
        #expect(page.total == 5)
        #expect(page.json["page"] == 2 && page.json["limit"] == 2)
        _ = try await fixture.engine.deleteTemplate(ids[0], by: .system)
        #expect(try await fixture.engine.templates().templates.map(\.id) == Array(ids[1...]))
        #expect(await engineError { _ = try await fixture.engine.templates(page: 0) }?.details["field"] == "page")
        #expect(await engineError { _ = try await fixture.engine.templates(limit: 201) }?.details["field"] == "limit")
    }

    /// Templates (one deleted, one changed, one with a chosen id) and tasks made from them, ticked.
    func populated(snapshotThreshold: Int = 100_000) async throws -> Fixture {
        let fixture = try Fixture(snapshotThreshold: snapshotThreshold)
        let complaint = try await makeTemplate(fixture)
        var urgent = NewTemplate(name: "Urgent")
        urgent.templateID = "tpl_urgent"
        urgent.checklist = ["Call {{customer}}"]
        let chosen = try await makeTemplate(fixture, urgent)
        let doomed = try await makeTemplate(fixture, NewTemplate(name: "Doomed"))
        var patch = TemplatePatch()
        patch.defaultTags = ["support", "complaint"]
        _ = try await fixture.engine.updateTemplate(complaint.id, patch, by: Self.agent)
        _ = try await fixture.engine.deleteTemplate(doomed.id, by: Self.agent)
        var call = TaskFromTemplate(templateID: complaint.id)
        call.variables = ["issue_id": "#1234"]
        let task = try await fixture.engine.createTask(call, by: Self.member).value.task
        _ = try await fixture.update(task.id, by: "user456") { $0.check = [.init(index: 1, done: true)] }
        var second = TaskFromTemplate(templateID: chosen.id)
        second.variables = ["customer": "Ann"]
        _ = try await fixture.engine.createTask(second, by: .system)
        _ = try await fixture.create("Plain task")
        return fixture
    }

    func expectSameTemplates(_ engine: Engine, as original: Engine) async throws {
        #expect(try await engine.templates(limit: 200).json == original.templates(limit: 200).json)
        let tasks = try await original.list(TaskQuery()).tasks
        for task in tasks { #expect(try await engine.task(task.id) == task) }
        #expect(await engine.state.templates.ids == original.state.templates.ids)
        // Both issue the same next template id.
        let next = try await engine.createTemplate(NewTemplate(name: "Next"), by: .system).value
        let twin = try await original.createTemplate(NewTemplate(name: "Next"), by: .system).value
        #expect(next.id == twin.id)
    }

    @Test func templatesSurviveJournalReplay() async throws {
        let fixture = try await populated()
        try await expectSameTemplates(try fixture.reopen(), as: fixture.engine)
    }

    @Test func templatesSurviveSnapshots() async throws {
        let fixture = try await populated(snapshotThreshold: 3)
        #expect(try await TestStore.tookSnapshot(fixture.store, threshold: 3))
        let snapshot = await fixture.engine.state.snapshotBytes()
        let text = String(decoding: snapshot, as: UTF8.self)
        #expect(text.contains(#"{"kind":"template","template_id":"tpl_urgent""#))
        #expect(text.contains(#"{"kind":"template_counter","last_template_id":"tpl_"#))
        let restored = try EngineState(snapshot: snapshot)
        #expect(restored.templates.all == (await fixture.engine.state.templates.all))
        try await expectSameTemplates(try fixture.reopen(), as: fixture.engine)
    }

    @Test func templatesSurviveExportAndImport() async throws {
        let fixture = try await populated()
        let document = try JSONParser.parse(JSONWriter.string(await fixture.engine.exportDocument()))
        #expect(document["templates"]?.arrayValue?.count == 2)
        let tasks = try #require(document["tasks"]?.arrayValue)
        #expect(tasks[0]["template_id"] != nil && tasks[0]["checklist"]?.arrayValue?.count == 4)
        // A task that never used a template is stored as release 0.1.0 stored it.
        #expect(tasks[2]["template_id"] == nil && tasks[2]["checklist"] == nil)
        let store = MemoryStore()
        let imported = try Engine.importDocument(document, into: store, clock: fixture.clock)
        #expect(try await imported.templates().json == fixture.engine.templates().json)
        try await expectSameTemplates(try Engine.open(store: store, clock: fixture.clock), as: imported)

        // A document whose templates disagree with its events is refused, not half-loaded.
        guard case .object(var object) = document, case .array(var templates)? = object["templates"],
            case .object(var first)? = templates.first
        else { throw EngineError.damaged("unexpected export shape") }
        first["name"] = "Forged"
        templates[0] = .object(first)
        object["templates"] = .array(templates)
        let refused = await engineError { _ = try Engine.importDocument(.object(object), into: MemoryStore()) }
        #expect(refused?.name == "unavailable")
    }

    @Test func anEmptyStoreExportsNoTemplatesMember() async throws {
        let fixture = try Fixture()
        _ = try await fixture.create("Plain")
        #expect(await fixture.engine.exportDocument()["templates"] == nil)
    }

    @Test func replayRefusesTemplateEventsThatDoNotFit() throws {
        let id = try #require(TemplateID("tpl_x"))
        let template = TaskTemplate(id: id, name: "X", createdAt: Timestamp(microseconds: 0), createdBy: "system")
        var state = EngineState()
        func event(_ seq: UInt64, _ type: EventType, detail: JSONValue?) -> Event {
            Event(
                seq: seq, type: type, at: Timestamp(microseconds: 0), actor: "system", subject: .template(id),
                version: 0, changes: [:], detail: detail)
        }
        #expect(throws: EngineError.self) {
            try state.apply(event(1, .templateUpdated, detail: template.json), bytes: [])
        }
        #expect(throws: EngineError.self) { try state.apply(event(1, .templateCreated, detail: nil), bytes: []) }
        try state.apply(event(1, .templateCreated, detail: template.json), bytes: [])
        #expect(throws: EngineError.self) {
            try state.apply(event(2, .templateCreated, detail: template.json), bytes: [])
        }
        try state.apply(event(2, .templateDeleted, detail: template.json), bytes: [])
        #expect(throws: EngineError.self) {
            try state.apply(event(3, .templateDeleted, detail: template.json), bytes: [])
        }
        #expect(state.templates.all.isEmpty)
    }

    @Test func placeholderNamesFollowTheDocumentedSyntax() {
        #expect(Placeholders.names(in: "{{a}}{{ b_1 }}{{\tc.d-e\t}}") == ["a", "b_1", "c.d-e"])
        #expect(Placeholders.names(in: "{{}} {{ }} {{a b}} {a} {{a} {{{x}}}").isEmpty == false)
        #expect(Placeholders.names(in: "{{}} {{ }} {{a b}} {a} {{a}") == [])
        #expect(Placeholders.names(in: "{{{x}}}") == ["x"])
        #expect(Placeholders.names(in: "{{é}}") == [])
    }
}
