import JSON
import JSONRPC
import StoreTestSupport
import TaskEngine
import TaskStore
import Testing

@testable import TaskwireServer

/// The `workflows.*` handlers, with the `tasks.*` ones beside them, called through a `MethodTable` with JSON
/// params as a client sends them.
@Suite(.closesTestStores)
struct WorkflowMethodsTests {
    let clock = ManualTimeSource("2024-01-15T10:00:00Z")
    let table: MethodTable

    init() async throws {
        let engine = try Engine.open(store: try TestStore.make(), clock: clock)
        table = try MethodTable(TaskMethods.declarations(engine: engine) + WorkflowMethods.declarations(engine: engine))
    }

    func call(_ method: String, _ params: JSONValue?, role: Role = .admin) async -> Result<JSONValue, ResponseError> {
        await table.call(method, params, context: RequestContext(connectionID: 1, user: "user123", role: role))
    }

    func result(_ method: String, _ params: JSONValue?) async throws -> JSONValue {
        try await call(method, params).get()
    }

    func error(_ method: String, _ params: JSONValue?, role: Role = .admin) async -> ResponseError? {
        if case .failure(let error) = await call(method, params, role: role) { return error }
        return nil
    }

    static let onboarding: JSONValue = [
        "name": "Customer Onboarding",
        "steps": [
            ["name": "Account Setup", "assignee": "user456", "duration_hours": 2],
            ["name": "Training", "assignee": "user789", "duration_hours": 4, "depends_on": ["Account Setup"]],
        ],
    ]

    @Test func registersEveryWorkflowsMethod() throws {
        let table = try MethodTable(WorkflowMethods.declarations(engine: try Engine.open(store: MemoryStore())))
        #expect(
            table.methodNames == [
                "workflows.cancel", "workflows.create", "workflows.get", "workflows.list", "workflows.status",
                "workflows.update",
            ])
    }

    @Test func theSpecsOnboardingThroughTheHandlers() async throws {
        let created = try await result("workflows.create", Self.onboarding)
        let id = try #require(created["workflow_id"]?.stringValue)
        #expect(created["status"] == "pending" && created["current_step"] == "Account Setup")
        let steps = try #require(created["steps"]?.arrayValue)
        let setup = try #require(steps[0]["task_id"])
        let training = try #require(steps[1]["task_id"])
        let task = try await result("tasks.get", ["task_id": training])
        #expect(task["workflow_id"] == .string(id) && task["step"] == "Training")
        #expect(task["blocked_by"] == ["Account Setup"])
        let plain = try await result("tasks.create", ["title": "Not a step"])
        #expect(plain["workflow_id"] == .null && plain["step"] == .null && plain["blocked_by"] == [])

        let blocked = try #require(await error("tasks.update", ["task_id": training, "status": "in_progress"]))
        #expect(blocked.code == 409 && blocked.name == "invalid_transition")
        #expect(blocked.data?["blocked_by"] == ["Account Setup"])

        _ = try await result("tasks.update", ["task_id": setup, "status": "in_progress"])
        _ = try await result("tasks.complete", ["task_id": setup])
        clock.set(Timestamp(rfc3339: "2024-01-16T08:00:00Z") ?? .minimum)
        let status = try await result("workflows.status", ["workflow_id": .string(id)])
        #expect(status["status"] == "in_progress" && status["progress"] == 50)
        #expect(status["current_step"] == "Training")
        #expect(status["estimated_completion"] == "2024-01-16T12:00:00Z")

        let deleting = try #require(await error("tasks.delete", ["task_id": setup]))
        #expect(deleting.code == 409)
        let list = try await result("workflows.list", ["status": "in_progress"])
        #expect(list["total"] == 1 && list["workflows"]?.arrayValue?.first?["workflow_id"] == .string(id))
        let none = try await result("workflows.list", ["status": ["completed", "cancelled"]])
        #expect(none["total"] == 0)

        let updated = try await result(
            "workflows.update",
            ["workflow_id": .string(id), "add_steps": [["name": "Review", "depends_on": ["Training"]]]])
        #expect(updated["total_steps"] == 3)
        let cycle = try #require(
            await error("workflows.update", ["workflow_id": .string(id), "depends_on": ["Training": ["Review"]]]))
        #expect(cycle.code == -32602 && cycle.name == "invalid_workflow")
        #expect(cycle.data?["cycle"] == ["Training", "Review", "Training"])

        let cancelled = try await result("workflows.cancel", ["workflow_id": .string(id)])
        #expect(cancelled["status"] == "cancelled")
        let detail = try await result("workflows.get", ["workflow_id": .string(id)])
        #expect(detail["steps"]?.arrayValue?.map { $0["status"] } == ["completed", "cancelled", "cancelled"])
    }

    @Test func paramsAreCheckedStrictly() async throws {
        let unknown = try #require(
            await error("workflows.create", ["name": "X", "steps": [["name": "A", "durationHours": 2]]]))
        #expect(unknown.code == -32602 && unknown.data?["field"] == "durationHours")
        let missing = try #require(await error("workflows.create", ["name": "X"]))
        #expect(missing.data?["field"] == "steps")
        let selfCycle = try #require(
            await error("workflows.create", ["name": "X", "steps": [["name": "A", "depends_on": ["A"]]]]))
        #expect(selfCycle.data?["cycle"] == ["A", "A"])
        let notFound = try #require(await error("workflows.status", ["workflow_id": "wf_nope"]))
        #expect(notFound.code == 404 && notFound.name == "workflow_not_found")
        let member = try #require(await error("workflows.create", Self.onboarding, role: .member))
        #expect(member.code == 403)
    }
}
