import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// Automations with a `task_event` trigger: they fire in the same journal record as the change of the task,
/// on the conditions they name, once per feed event, up to the depth limit, and survive replay and snapshots.
@Suite(.closesTestStores)
struct TaskEventAutomationTests {
    static let bot = Caller(user: "support_bot", role: .agent)

    /// The template tpl_followup (filled from the triggering task) on a fixture.
    func world(snapshotThreshold: Int = 100_000, on backend: TestStore.Backend = .thisPass) async throws -> Fixture {
        let fixture = try Fixture(snapshotThreshold: snapshotThreshold, on: backend)
        var template = NewTemplate(name: "Follow-up")
        template.templateID = "tpl_followup"
        template.titleTemplate = "Follow up {{title}} ({{task_id}})"
        _ = try await fixture.engine.createTemplate(template, by: Self.bot)
        return fixture
    }

    @discardableResult
    func automation(
        _ fixture: Fixture, event: String, conditions: JSONObject? = nil, template: String = "tpl_followup",
        enabled: Bool = true
    ) async throws -> Automation {
        var input = NewAutomation()
        input.name = "On \(event)"
        var trigger: JSONObject = ["type": "task_event", "event": .string(event)]
        if let conditions { trigger["conditions"] = .object(conditions) }
        input.trigger = trigger
        input.action = ["type": "create_task", "template": .string(template), "priority": "low"]
        input.enabled = enabled
        return try await fixture.engine.createAutomation(input, by: Self.bot).value
    }

    func completeTask(_ fixture: Fixture, _ title: String, priority: String) async throws -> TaskItem {
        let task = try await fixture.create(title) { $0.priority = priority }
        try await fixture.setStatus(task.id, .inProgress)
        return try await fixture.engine.complete(task.id, Completion(), by: Caller(user: "user123")).value.task
    }

    func tasks(_ engine: Engine) async throws -> [TaskItem] {
        var query = TaskQuery()
        query.limit = 200
        return try await engine.list(query).tasks
    }

    @Test func aCompletionFiresOnceInTheSameRecord() async throws {
        let fixture = try await world(on: .memory)
        let rule = try await automation(
            fixture, event: "task_completed", conditions: ["priority": ["high", "critical"]])
        let records = fixture.store.recordsSinceSnapshot
        let completed = try await completeTask(fixture, "Refund", priority: "high")
        // Creation, start and the completion with its firing: three records.
        #expect(fixture.store.recordsSinceSnapshot == records + 3)
        let last = try JournalRecord.events(in: try #require(try fixture.memory.records.last)).map(\.event)
        #expect(last.map(\.type) == [.taskCompleted, .taskCreated])
        #expect(last.map(\.seq) == [last[0].seq, last[0].seq + 1])
        #expect(last[1].json["automation"]?["automation_id"] == .string(rule.id.description))
        #expect(last[1].json["automation"]?["event_id"] == .string(FeedCursor(seq: last[0].seq, index: 0).description))
        #expect(last[1].json["automation"]?["depth"] == 1)
        let created = try #require(try await tasks(fixture.engine).first { $0.id != completed.id })
        #expect(created.title == "Follow up Refund (\(completed.id))")
        #expect(created.priority == .low)
        #expect(try await fixture.engine.automation(rule.id).firedCount == 1)

        // A low priority completion does not meet the condition.
        _ = try await completeTask(fixture, "Chat", priority: "low")
        #expect(try await fixture.engine.automation(rule.id).firedCount == 1)
        // A change that fires nothing is a plain record of one event.
        #expect(try fixture.memory.records.last?.first == UInt8(ascii: "{"))
        #expect(try await tasks(fixture.engine).count == 3)
    }

    @Test func aRefusedAppendKeepsNeitherTheChangeNorItsFiring() async throws {
        let fixture = try await world(on: .memory)
        let rule = try await automation(fixture, event: "task_completed", conditions: ["priority": "high"])
        let task = try await fixture.create("Refund") { $0.priority = "high" }
        try await fixture.setStatus(task.id, .inProgress)
        let before = await fixture.engine.exportDocument()
        let seq = await fixture.engine.lastSeq
        try fixture.memory.failNextAppend(with: StoreError(code: .io, message: "disk full"))
        let error = await engineError {
            _ = try await fixture.engine.complete(task.id, Completion(), by: Caller(user: "user123"))
        }
        #expect(error?.name == "unavailable")
        #expect(await fixture.engine.exportDocument() == before)
        #expect(await fixture.engine.lastSeq == seq)
        #expect(try await fixture.engine.automation(rule.id).firedCount == 0)
        #expect(try await fixture.reopen().exportDocument() == before)
    }

    @Test func tagAndBotConditionsMustAllHold() async throws {
        let fixture = try await world()
        let rule = try await automation(
            fixture, event: "task_created", conditions: ["tags": ["vip", "press"], "bot_id": "support_bot"])
        try await fixture.create("Both") {
            $0.tags = ["press", "other"]
            $0.context = ["bot_id": "support_bot"]
        }
        try await fixture.create("Other bot") {
            $0.tags = ["vip"]
            $0.context = ["bot_id": "sales_bot"]
        }
        try await fixture.create("No tags") { $0.context = ["bot_id": "support_bot"] }
        #expect(try await fixture.engine.automation(rule.id).firedCount == 1)
        let titles = try await tasks(fixture.engine).map(\.title)
        #expect(titles.filter { $0.hasPrefix("Follow up Both") }.count == 1)
        // The fired task carries the triggering task's context.
        let fired = try #require(try await tasks(fixture.engine).first { $0.title.hasPrefix("Follow up") })
        #expect(fired.context.map(\.value) == ["support_bot"])
    }

    @Test func theDepthLimitStopsAChain() async throws {
        let fixture = try await world(on: .memory)
        // Every created task triggers the rule again: each firing is one level deeper.
        let rule = try await automation(fixture, event: "task_created")
        let records = fixture.store.recordsSinceSnapshot
        try await fixture.create("Seed")
        #expect(fixture.store.recordsSinceSnapshot == records + 1)
        let events = try JournalRecord.events(in: try #require(try fixture.memory.records.last)).map(\.event)
        #expect(events.map { $0.json["automation"]?["depth"] } == [nil, 1, 2, 3])
        #expect(try await fixture.engine.automation(rule.id).firedCount == AutomationLimits.maxDepth)
        #expect(try await tasks(fixture.engine).count == 1 + AutomationLimits.maxDepth)
    }

    @Test func disabledAutomationsNeverFire() async throws {
        let fixture = try await world()
        let rule = try await automation(fixture, event: "task_completed", enabled: false)
        _ = try await completeTask(fixture, "Refund", priority: "high")
        #expect(try await fixture.engine.automation(rule.id).firedCount == 0)
        #expect(try await tasks(fixture.engine).count == 1)
    }

    @Test func aDeletionTriggersWithTheDeletedTask() async throws {
        let fixture = try await world()
        let rule = try await automation(fixture, event: "task_deleted", conditions: ["priority": "high"])
        let task = try await fixture.create("Gone") { $0.priority = "high" }
        _ = try await fixture.engine.delete(task.id, by: Caller(user: "user123"))
        #expect(try await fixture.engine.automation(rule.id).firedCount == 1)
        #expect(try await tasks(fixture.engine).map(\.title) == ["Follow up Gone (\(task.id))"])
    }

    @Test func anUnfillableTemplateSkipsTheAutomationNotTheWrite() async throws {
        let fixture = try await world()
        var template = NewTemplate(name: "Needs a conversation")
        template.templateID = "tpl_conv"
        template.titleTemplate = "About {{conversation_id}}"
        _ = try await fixture.engine.createTemplate(template, by: Self.bot)
        // The fired tasks are low priority, so they do not trigger the rule again.
        let rule = try await automation(
            fixture, event: "task_created", conditions: ["priority": "medium"], template: "tpl_conv")
        try await fixture.create("No conversation")
        #expect(try await fixture.engine.automation(rule.id).firedCount == 0)
        try await fixture.create("With one") { $0.context = ["conversation_id": "conv_1"] }
        #expect(try await fixture.engine.automation(rule.id).firedCount == 1)
    }

    @Test func firingsSurviveReplaySnapshotsAndExport() async throws {
        let fixture = try await world(snapshotThreshold: 4)
        let rule = try await automation(fixture, event: "task_completed")
        for title in ["One", "Two", "Three"] { _ = try await completeTask(fixture, title, priority: "medium") }
        let expected = try await fixture.engine.automation(rule.id)
        #expect(expected.firedCount == 3)
        #expect(expected.json["trigger"] == ["type": "task_event", "event": "task_completed", "conditions": [:]])
        let document = await fixture.engine.exportDocument()
        let reopened = try fixture.reopen()
        #expect(try await reopened.automation(rule.id) == expected)
        #expect(await reopened.exportDocument() == document)
        let imported = try Engine.importDocument(document, into: MemoryStore(), clock: fixture.clock)
        #expect(try await imported.automation(rule.id) == expected)
        #expect(try await tasks(imported).count == 6)
    }

    @Test func badTriggersAreRefusedNamingTheField() async throws {
        let fixture = try await world()
        func refused(_ trigger: JSONObject) async -> EngineError? {
            var input = NewAutomation()
            input.name = "R"
            input.trigger = trigger
            input.action = ["type": "create_task", "template": "tpl_followup"]
            return await engineError { _ = try await fixture.engine.createAutomation(input, by: Self.bot) }
        }
        func field(_ trigger: JSONObject) async -> JSONValue? { await refused(trigger)?.details["field"] }
        #expect(await field(["type": "task_event", "event": "task_exploded"]) == "trigger.event")
        #expect(await field(["type": "task_event"]) == "trigger.event")
        #expect(await field(["type": "task_event", "event": "task_created", "conditions": 1]) == "trigger.conditions")
        #expect(
            await field(["type": "task_event", "event": "task_created", "conditions": ["priority": "urgent"]])
                == "trigger.conditions.priority")
        #expect(
            await field(["type": "task_event", "event": "task_created", "conditions": ["tags": "vip"]])
                == "trigger.conditions.tags")
        #expect(
            await field(["type": "task_event", "event": "task_created", "conditions": ["bot_id": 3]])
                == "trigger.conditions.bot_id")
        #expect(
            await field(["type": "task_event", "event": "task_created", "conditions": ["extra": 3]])
                == "trigger.conditions.extra")
        #expect(await field(["type": "webhook"]) == "trigger.type")
    }
}

/// The scheduler's reminders trigger `task_event` automations like any other change of a task.
@Suite(.closesTestStores)
struct ReminderAutomationTests {
    @Test func anOverdueTaskFiresItsEscalationOnceInTheSchedulersRecord() async throws {
        let suite = TaskEventAutomationTests()
        let fixture = try await suite.world(on: .memory)
        await fixture.engine.startScheduler()
        let rule = try await suite.automation(fixture, event: "task_overdue", conditions: ["priority": "high"])
        let late = try await fixture.create("Refund") {
            $0.priority = "high"
            $0.dueDate = OverdueTests.due(fixture, inHours: 2)
        }
        _ = try await fixture.create("Low") {
            $0.priority = "low"
            $0.dueDate = OverdueTests.due(fixture, inHours: 2)
        }
        try await OverdueTests.advance(fixture, hours: 3)
        let last = try JournalRecord.events(in: try #require(try fixture.memory.records.last)).map(\.event)
        #expect(last.map(\.type) == [.taskOverdue, .taskCreated, .taskOverdue])
        #expect(last[1].json["automation"]?["automation_id"] == .string(rule.id.description))
        let followUps = try await suite.tasks(fixture.engine).filter { $0.title.hasPrefix("Follow up") }
        #expect(followUps.map(\.title) == ["Follow up Refund (\(late.id))"])
        // Later changes of the late task never fire the same overdue again.
        try await OverdueTests.advance(fixture, hours: 3)
        #expect(try await suite.tasks(fixture.engine).filter { $0.title.hasPrefix("Follow up") }.count == 1)
    }
}
