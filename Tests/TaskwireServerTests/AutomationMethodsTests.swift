import JSON
import JSONRPC
import StoreTestSupport
import TaskEngine
import TaskStore
import Testing

@testable import TaskwireServer

/// The `automations.*` handlers and `events.publish`, called through a `MethodTable` with JSON params.
@Suite(.closesTestStores)
struct AutomationMethodsTests {
    let clock = ManualTimeSource("2024-01-15T10:00:00Z")
    let table: MethodTable

    init() async throws {
        let engine = try Engine.open(store: try TestStore.make(), clock: clock)
        table = try MethodTable(
            TaskMethods.declarations(engine: engine) + TemplateMethods.declarations(engine: engine)
                + AutomationMethods.declarations(engine: engine) + IdentityMethods.declarations(engine: engine))
    }

    func call(_ method: String, _ params: JSONValue?, role: Role = .agent) async -> Result<JSONValue, ResponseError> {
        await table.call(method, params, context: RequestContext(connectionID: 1, user: "support_bot", role: role))
    }

    func result(_ method: String, _ params: JSONValue?) async throws -> JSONValue {
        try await call(method, params).get()
    }

    func error(_ method: String, _ params: JSONValue?, role: Role = .agent) async -> ResponseError? {
        if case .failure(let error) = await call(method, params, role: role) { return error }
        return nil
    }

    @Test func theSpecsHighPrioritySupportRuleOverTheWire() async throws {
        for user in ["ann", "bob"] {
            _ = try await table.call(
                "users.upsert", ["user_id": .string(user), "name": .string(user), "role": "member"],
                context: RequestContext(connectionID: 1)
            ).get()
        }
        _ = try await result(
            "templates.create",
            ["name": "Urgent", "template_id": "tpl_urgent", "title_template": "Urgent: {{conversation_id}}"])
        // The spec's "Create Automation Rule" body, verbatim.
        let automation = try await result(
            "automations.create",
            [
                "name": "High Priority Support",
                "trigger": [
                    "type": "conversation_tag",
                    "value": "urgent",
                ],
                "action": [
                    "type": "create_task",
                    "template": "tpl_urgent",
                    "auto_assign": true,
                    "priority": "critical",
                ],
            ])
        let id = try #require(automation["automation_id"])
        #expect(automation["enabled"] == true && automation["fired_count"] == 0)
        #expect(try await result("automations.get", ["automation_id": id]) == automation)
        #expect(try await result("automations.list", nil)["total"] == 1)

        let event: JSONValue = [
            "type": "conversation_tag", "value": "urgent",
            "context": ["conversation_id": "conv_abc123", "bot_id": "support_bot"], "event_id": "evt_1",
        ]
        let published = try await result("events.publish", event)
        #expect(published["event_id"] == "evt_1")
        #expect(published["fired"]?.arrayValue?.first?["automation_id"] == id)
        let task = try #require(published["tasks"]?.arrayValue?.first)
        #expect(task["title"] == "Urgent: conv_abc123" && task["priority"] == "critical")
        #expect(task["assignee"]?["user_id"] == "ann" && task["template_id"] == "tpl_urgent")
        let again = try await result("events.publish", event)
        #expect(again["fired"] == [] && again["skipped"]?.arrayValue?.first?["reason"] == "already_fired")
        #expect(try await result("automations.get", ["automation_id": id])["fired_count"] == 1)

        let denied = await error("events.publish", event, role: .member)
        #expect(denied?.code == 403)
        let bad = await error(
            "automations.create",
            [
                "name": "X", "trigger": ["type": "conversation_tag"],
                "action": ["type": "create_task", "template": "tpl_urgent"],
            ])
        #expect(bad?.code == -32602 && bad?.data?["field"] == "trigger.value")
        #expect(
            try await result("automations.delete", ["automation_id": id]) == ["automation_id": id, "deleted": true])
        let missing = await error("automations.get", ["automation_id": id])
        #expect(missing?.code == 404 && missing?.name == "automation_not_found")
        #expect(await error("automations.get", ["automation_id": "aut_nope"])?.code == 404)
    }

    @Test func aTaskEventAutomationFiresWhenAnotherTaskCompletes() async throws {
        _ = try await result(
            "templates.create",
            ["name": "Survey", "template_id": "tpl_survey", "title_template": "Survey for {{title}}"])
        let automation = try await result(
            "automations.create",
            [
                "name": "Survey after high priority work",
                "trigger": ["type": "task_event", "event": "task_completed", "conditions": ["priority": "high"]],
                "action": ["type": "create_task", "template": "tpl_survey"],
            ])
        let id = try #require(automation["automation_id"])
        #expect(
            automation["trigger"]
                == ["type": "task_event", "event": "task_completed", "conditions": ["priority": ["high"]]])
        let task = try await result("tasks.create", ["title": "Refund order 7", "priority": "high"])
        let taskID = try #require(task["task_id"])
        _ = try await result("tasks.update", ["task_id": taskID, "status": "in_progress"])
        let completed = try await result("tasks.complete", ["task_id": taskID])
        // The reply is the completion's alone; the fired task shows in the list and the automation.
        #expect(completed["task_id"] == taskID && completed["status"] == "completed")
        let list = try await result("tasks.list", ["status": "pending"])
        #expect(list["tasks"]?.arrayValue?.map { $0["title"] } == ["Survey for Refund order 7"])
        #expect(try await result("automations.get", ["automation_id": id])["fired_count"] == 1)

        let bad = await error(
            "automations.create",
            [
                "name": "X", "trigger": ["type": "task_event", "event": "task_exploded"],
                "action": ["type": "create_task", "template": "tpl_survey"],
            ])
        #expect(bad?.code == -32602 && bad?.data?["field"] == "trigger.event")
    }
}
