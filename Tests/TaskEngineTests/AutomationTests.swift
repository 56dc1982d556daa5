import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// Automations fired by published conversation tags: the spec's High Priority Support rule, auto-assignment,
/// repeated event ids, the depth limit, and firings that survive replay, snapshots and export.
@Suite(.closesTestStores)
struct AutomationTests {
    static let bot = Caller(user: "support_bot", role: .agent)

    /// The spec's "Create Automation Rule" body, verbatim.
    static let highPrioritySupport: (name: String, trigger: JSONObject, action: JSONObject) = (
        "High Priority Support",
        ["type": "conversation_tag", "value": "urgent"],
        ["type": "create_task", "template": "tpl_urgent", "auto_assign": true, "priority": "critical"]
    )

    /// Members ann and bob, the template tpl_urgent, and the spec's automation.
    func world(snapshotThreshold: Int = 100_000) async throws -> (Fixture, Automation) {
        let fixture = try Fixture(snapshotThreshold: snapshotThreshold)
        for user: UserID in ["ann", "bob"] {
            _ = try await fixture.engine.upsertUser(
                UserInput(userID: user, name: user.text, role: "member"), by: .system)
        }
        var template = NewTemplate(name: "Urgent conversation")
        template.templateID = "tpl_urgent"
        template.titleTemplate = "Urgent: conversation {{conversation_id}}"
        template.checklist = ["Read {{conversation_id}}", "Answer the customer"]
        _ = try await fixture.engine.createTemplate(template, by: Self.bot)
        var input = NewAutomation()
        input.name = Self.highPrioritySupport.name
        input.trigger = Self.highPrioritySupport.trigger
        input.action = Self.highPrioritySupport.action
        let automation = try await fixture.engine.createAutomation(input, by: Self.bot).value
        return (fixture, automation)
    }

    func publish(
        _ fixture: Fixture, _ value: String = "urgent", eventID: String? = nil, conversation: String = "conv_abc123",
        depth: Int = 0
    ) async throws -> PublishResult {
        var event = PublishedEvent(type: "conversation_tag", value: value)
        event.context = ["conversation_id": .string(conversation), "bot_id": "support_bot"]
        event.eventID = eventID
        event.depth = depth
        return try await fixture.engine.publish(event, by: Self.bot).value
    }

    @Test func theSpecsHighPrioritySupportRule() async throws {
        let (fixture, automation) = try await world()
        #expect(automation.id.description.hasPrefix("aut_"))
        #expect(automation.json["trigger"] == ["type": "conversation_tag", "value": "urgent"])
        #expect(automation.json["action"]?["template"] == "tpl_urgent")
        #expect(automation.json["action"]?["priority"] == "critical" && automation.json["enabled"] == true)

        let first = try await publish(fixture, eventID: "evt_1")
        let task = try #require(first.fired.first?.task)
        #expect(first.fired.count == 1 && first.fired[0].automationID == automation.id)
        #expect(task.title == "Urgent: conversation conv_abc123")
        #expect(task.priority == .critical)
        #expect(task.templateID?.text == "tpl_urgent")
        #expect(task.checklist.map(\.text) == ["Read conv_abc123", "Answer the customer"])
        #expect(task.context.map(\.key) == ["conversation_id", "bot_id"])
        #expect(task.assignee == "ann")

        // The firing is the task's own creation record.
        let created = try #require(try await fixture.engine.events(after: 0, limit: 20).last)
        #expect(created.type == .taskCreated)
        #expect(created.json["automation"]?["automation_id"] == .string(automation.id.description))
        #expect(created.json["automation"]?["event_id"] == "evt_1")
        #expect(created.json["automation"]?["depth"] == 1)

        // The same event id fires nothing the second time.
        let again = try await publish(fixture, eventID: "evt_1")
        #expect(again.fired.isEmpty)
        #expect(again.skipped.map(\.reason) == ["already_fired"])

        // The least loaded member gets the next task: bob has none open, ann has one.
        let second = try await publish(fixture, eventID: "evt_2")
        #expect(second.fired.first?.task.assignee == "bob")
        let stored = try await fixture.engine.automation(automation.id)
        #expect(stored.firedCount == 2 && stored.assignCursor == 2)

        // Other tags fire nothing.
        #expect(try await publish(fixture, "billing").fired.isEmpty)
    }

    @Test func tiesAreBrokenRoundRobin() async throws {
        let (fixture, _) = try await world()
        var assignees: [UserID?] = []
        for index in 0..<4 {
            let result = try await publish(fixture, eventID: "evt_\(index)")
            let task = try #require(result.fired.first?.task)
            assignees.append(task.assignee)
            // Closing the task keeps both members at zero open tasks: every pick is a tie.
            try await fixture.setStatus(task.id, .cancelled)
        }
        #expect(assignees == ["ann", "bob", "ann", "bob"])
    }

    @Test func thePoolLimitsTheCandidatesAndDisabledAutomationsDoNotFire() async throws {
        let (fixture, automation) = try await world()
        var input = NewAutomation()
        var action = Self.highPrioritySupport.action
        action["assignee_pool"] = ["bob", "cid"]
        input.action = action
        _ = try await fixture.engine.updateAutomation(automation.id, input, by: Self.bot)
        let task = try #require(try await publish(fixture).fired.first?.task)
        #expect(task.assignee == "bob")
        let next = try #require(try await publish(fixture).fired.first?.task)
        #expect(next.assignee == "cid")

        var disable = NewAutomation()
        disable.enabled = false
        _ = try await fixture.engine.updateAutomation(automation.id, disable, by: Self.bot)
        #expect(try await publish(fixture).fired.isEmpty)
    }

    @Test func theDepthLimitStopsChains() async throws {
        let (fixture, _) = try await world()
        #expect(try await publish(fixture, depth: AutomationLimits.maxDepth - 1).fired.count == 1)
        let stopped = try await publish(fixture, depth: AutomationLimits.maxDepth)
        #expect(stopped.fired.isEmpty && stopped.skipped.map(\.reason) == ["depth_limit"])
    }

    @Test func membersMayNotManageAutomationsOrPublish() async throws {
        let (fixture, automation) = try await world()
        let member = Caller(user: "ann", role: .member)
        var input = NewAutomation()
        input.name = "Mine"
        #expect(
            await engineError { _ = try await fixture.engine.createAutomation(input, by: member) }?.name
                == "permission_denied")
        #expect(
            await engineError { _ = try await fixture.engine.deleteAutomation(automation.id, by: member) }?.name
                == "permission_denied")
        #expect(
            await engineError {
                _ = try await fixture.engine.publish(
                    PublishedEvent(type: "conversation_tag", value: "urgent"), by: member)
            }?.name == "permission_denied")
        #expect(try await fixture.engine.automation(automation.id, for: member) == automation)
    }

    @Test func badAutomationsAreRefusedNamingTheField() async throws {
        let (fixture, _) = try await world()
        func refused(_ configure: (inout NewAutomation) -> Void) async -> EngineError? {
            var input = NewAutomation()
            input.name = "R"
            input.trigger = Self.highPrioritySupport.trigger
            input.action = Self.highPrioritySupport.action
            configure(&input)
            return await engineError { _ = try await fixture.engine.createAutomation(input, by: Self.bot) }
        }
        #expect(
            await refused { $0.trigger = ["type": "task_event", "value": "x"] }?.details["field"] == "trigger.value")
        #expect(
            await refused { $0.trigger = ["type": "conversation_tag", "value": ""] }?.details["field"]
                == "trigger.value")
        #expect(await refused { $0.action?["priority"] = "urgent" }?.name == "invalid_priority")
        #expect(await refused { $0.action?["template"] = "tpl_nope" } == .templateNotFound("tpl_nope"))
        #expect(await refused { $0.action?["extra"] = 1 }?.details["field"] == "action.extra")
        #expect(await refused { $0.name = nil }?.details["field"] == "name")
    }

    @Test func firingsSurviveReplaySnapshotsAndExport() async throws {
        let (fixture, automation) = try await world(snapshotThreshold: 5)
        _ = try await publish(fixture, eventID: "evt_1")
        _ = try await publish(fixture, eventID: "evt_2")
        let expected = try await fixture.engine.automation(automation.id)
        for engine in [try fixture.reopen()] {
            #expect(try await engine.automation(automation.id) == expected)
            var event = PublishedEvent(type: "conversation_tag", value: "urgent")
            event.eventID = "evt_1"
            #expect(try await engine.publish(event, by: Self.bot).value.fired.isEmpty)
        }
        let document = try JSONParser.parse(JSONWriter.string(await fixture.engine.exportDocument()))
        #expect(document["automations"]?.arrayValue?.count == 1)
        #expect(document["automation_firings"]?.arrayValue?.count == 2)
        let imported = try Engine.importDocument(document, into: MemoryStore(), clock: fixture.clock)
        #expect(try await imported.automation(automation.id) == expected)
        var event = PublishedEvent(type: "conversation_tag", value: "urgent")
        event.context = ["conversation_id": "conv_2"]
        let next = try await imported.publish(event, by: Self.bot)
        // A template placeholder the event gives no value for skips the automation instead of failing.
        let bare = try await imported.publish(PublishedEvent(type: "conversation_tag", value: "urgent"), by: Self.bot)
        #expect(bare.value.skipped.map(\.reason) == ["missing_variable"])
        #expect(next.value.fired.count == 1, "\(next.value.skipped.map(\.reason))")
    }
}
