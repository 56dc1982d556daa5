import JSON
import JSONRPC
import StoreTestSupport
import TaskEngine
import TaskStore
import TaskwireLog
import Testing

@testable import TaskwireServer

/// `tasks.analytics` through the dispatcher, as a connection sees it: params, shape, who may call it, and its
/// rate limit.
@Suite(.closesTestStores)
struct AnalyticsMethodsTests: GatedDispatcherSuite {
    let clock = ManualTimeSource("2024-01-15T10:00:00Z")
    let engine: Engine
    let dispatcher: Dispatcher

    init() async throws {
        engine = try Engine.open(store: try TestStore.make(), clock: clock)
        let table = try MethodTable(
            BuiltinMethods.declarations(
                info: ServerInfo(transports: ["stdio", "unix"], dataDirectory: nil, durability: "none"))
                + TaskMethods.declarations(engine: engine)
                + IdentityMethods.declarations(engine: engine, clock: clock))
        dispatcher = .gated(table, engine: engine, clock: clock, limits: ["list=3/minute"])
    }

    var admin: RequestContext {
        RequestContext(connectionID: 1, identity: ConnectionIdentity(.init(user: "system", via: "stdio")))
    }

    /// Members `ann` and `bob` and agent `bot`, logged in on sockets; two of Bob's tasks (one completed after
    /// two hours) and one unassigned task, none of them Ann's.
    func world() async throws -> [String: RequestContext] {
        // Overdue is what the scheduler fired (`task_overdue`), as in a running server.
        await engine.startScheduler()
        var contexts: [String: RequestContext] = [:]
        for (index, (id, name, role)) in [
            ("ann", "Ann Lee", "member"), ("bob", "Bob Stone", "member"), ("bot", "Bot", "agent"),
        ]
        .enumerated() {
            _ = try await result(
                "users.upsert", ["user_id": .string(id), "name": .string(name), "role": .string(role)], on: admin)
            let token = try await result("auth.tokens.create", ["user_id": .string(id)], on: admin)["token"]
            let context = RequestContext(
                connectionID: UInt64(index + 2), transport: "unix", identity: ConnectionIdentity(nil))
            _ = try await result("auth.login", ["token": token ?? .null], on: context)
            contexts[id] = context
        }
        let done = try await result(
            "tasks.create",
            ["title": "Done", "assignee": "bob", "priority": "high", "context": ["bot_id": "support_bot"]],
            on: admin)
        _ = try await result(
            "tasks.create", ["title": "Open", "assignee": "bob", "tags": ["vip"], "due_date": "2024-01-15T11:00:00Z"],
            on: admin)
        _ = try await result("tasks.create", ["title": "Nobody's"], on: admin)
        let id = done["task_id"] ?? .null
        _ = try await result("tasks.update", ["task_id": id, "status": "in_progress"], on: admin)
        clock.advance(seconds: 7200)
        await engine.schedulerSettled()
        _ = try await result("tasks.complete", ["task_id": id], on: admin)
        return contexts
    }

    @Test func answersTheSpecsShapeWithNamesFromTheDirectory() async throws {
        _ = try await world()
        let report = try await result("tasks.analytics", [:], on: admin)
        #expect(report.objectValue?.keys == ["summary", "by_priority", "by_assignee"])
        #expect(
            report["summary"] == [
                "total_tasks": 3, "completed": 1, "in_progress": 0, "overdue": 1, "completion_rate": 0.33,
                "average_completion_time_hours": 2,
            ])
        #expect(report["by_priority"]?.objectValue?.keys == ["critical", "high", "medium", "low"])
        #expect(report["by_priority"]?["high"] == ["total": 1, "completed": 1])
        #expect(report["by_priority"]?["critical"] == ["total": 0, "completed": 0])
        #expect(
            report["by_assignee"] == [
                ["user_id": "bob", "name": "Bob Stone", "tasks_completed": 1, "average_time_hours": 2]
            ])
        // assignee null is the unassigned tasks, as in tasks.list; tags take a comma-separated string.
        let unassigned = try await result("tasks.analytics", ["assignee": .null], on: admin)
        #expect(unassigned["summary"]?["total_tasks"] == 1)
        #expect(unassigned["summary"]?["average_completion_time_hours"] == .null)
        #expect(unassigned["by_assignee"] == [])
        #expect(try await result("tasks.analytics", ["tags": "vip"], on: admin)["summary"]?["overdue"] == 1)
        let bot = try await result("tasks.analytics", ["bot_id": "support_bot", "from": 1_705_312_800], on: admin)
        #expect(bot["summary"]?["completion_rate"] == 1)
        let empty = try await result("tasks.analytics", ["to": "2024-01-15T09:00:00Z"], on: admin)
        #expect(empty["summary"]?["completion_rate"] == .null)
        #expect(empty["summary"]?["total_tasks"] == 0)
    }

    @Test(
        arguments: [
            (["colour": "red"], "colour"),
            (["from": "last week"], "from"),
            (["from": true], "from"),
            (["to": "2024-13-01T00:00:00Z"], "to"),
            (["from": "2024-01-15T10:00:00Z", "to": "2024-01-15T09:00:00Z"], "to"),
            (["assignee": 5], "assignee"),
            (["assignee": ""], "assignee"),
            (["bot_id": ""], "bot_id"),
            (["bot_id": ["a"]], "bot_id"),
            (["tags": 7], "tags"),
            (["tags": ["ok", 7]], "tags"),
            (["tags": [""]], "tags"),
        ] as [(JSONValue, String)])
    func badParamsAreInvalidParamsNamingTheField(params: JSONValue, field: String) async throws {
        let refused = await error("tasks.analytics", params, on: admin)
        #expect(refused?.code == -32602)
        #expect(refused?.name == "invalid_params")
        #expect(refused?.data?["field"] == .string(field))
    }

    @Test func paramsThatAreNoObjectAreRefused() async {
        #expect(await error("tasks.analytics", ["from"], on: admin)?.code == -32602)
    }

    @Test func anyoneLoggedInSeesWhatTasksListShowsThem() async throws {
        let contexts = try await world()
        let all = try await result("tasks.analytics", on: admin)
        // Ann created and holds none of the tasks, yet sees them all, as tasks.list shows her.
        let ann = try #require(contexts["ann"])
        #expect(try await result("tasks.analytics", on: ann) == all)
        #expect(try await result("tasks.list", on: ann)["total"] == all["summary"]?["total_tasks"])
        let bot = try #require(contexts["bot"])
        #expect(try await result("tasks.analytics", ["on_behalf_of": "ann"], on: bot) == all)
        // Before login only the open methods answer.
        let stranger = RequestContext(connectionID: 9, transport: "unix", identity: ConnectionIdentity(nil))
        #expect(await error("tasks.analytics", on: stranger)?.code == 401)
    }

    @Test func sharesTheListRateLimit() async throws {
        let contexts = try await world()
        let ann = try #require(contexts["ann"])
        _ = try await result("tasks.list", on: ann)
        _ = try await result("tasks.analytics", on: ann)
        _ = try await result("tasks.analytics", ["assignee": "bob"], on: ann)
        let refused = await error("tasks.analytics", on: ann)
        #expect(refused?.code == 429 && refused?.name == "rate_limited")
        #expect(await error("tasks.list", on: ann)?.code == 429)
        clock.advance(seconds: 60)
        #expect(await error("tasks.analytics", on: ann) == nil)
    }
}
