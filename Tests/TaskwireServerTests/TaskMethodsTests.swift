import JSON
import JSONRPC
import StoreTestSupport
import TaskEngine
import TaskStore
import Testing

@testable import TaskwireServer

/// The `tasks.*` handlers, called through a `MethodTable` with JSON params as a client sends them.
@Suite(.closesTestStores)
struct TaskMethodsTests {
    let clock = ManualTimeSource("2024-01-15T10:00:00Z")
    let store: any Store
    let table: MethodTable

    init() throws { try self.init(on: .thisPass) }

    /// The methods on `backend`: `.memory` for a test that makes an append fail.
    init(on backend: TestStore.Backend) throws {
        store = try TestStore.make(on: backend)
        let engine = try Engine.open(store: store, clock: clock)
        table = try MethodTable(TaskMethods.declarations(engine: engine))
    }

    /// Calls a method and returns its result or its wire error.
    func call(
        _ method: String, _ params: JSONValue?, as user: String = "user123"
    ) async -> Result<
        JSONValue, ResponseError
    > {
        await table.call(method, params, context: RequestContext(connectionID: 1, user: UserID(user)))
    }

    func result(_ method: String, _ params: JSONValue?, as user: String = "user123") async throws -> JSONValue {
        try await call(method, params, as: user).get()
    }

    func error(_ method: String, _ params: JSONValue?) async -> ResponseError? {
        if case .failure(let error) = await call(method, params) { return error }
        return nil
    }

    @Test func aFullDiskAnswers503AndChangesNothing() async throws {
        let suite = try TaskMethodsTests(on: .memory)
        let created = try await suite.result("tasks.create", ["title": "Before the disk filled"])
        let id = try #require(created["task_id"]?.stringValue)
        let before = try await suite.result("tasks.list", nil)
        try #require(suite.store as? MemoryStore).failNextAppend(
            with: StoreError(code: .diskFull, message: "The disk is full: the journal has no reserved space left."))
        let refused = try #require(await suite.error("tasks.update", ["task_id": .string(id), "progress": 50]))
        #expect(refused.code == 503)
        #expect(refused.name == "unavailable")
        #expect(try await suite.result("tasks.list", nil) == before)
        #expect(try await suite.result("tasks.get", ["task_id": .string(id)])["version"] == 1)
        // Once space is back, the same write goes through.
        #expect(try await suite.result("tasks.update", ["task_id": .string(id), "progress": 50])["version"] == 2)
    }

    @Test func registersEveryTasksMethod() {
        #expect(
            table.methodNames == [
                "tasks.analytics", "tasks.complete", "tasks.create", "tasks.delete", "tasks.get", "tasks.history",
                "tasks.list", "tasks.update",
            ])
    }

    @Test func aTaskLifecycleThroughTheHandlers() async throws {
        let created = try await result(
            "tasks.create",
            [
                "title": "Review customer complaint", "assignee": "user456", "due_date": .int(1_705_312_800 + 86_400),
                "priority": "high", "tags": ["support", "urgent"],
                "context": ["conversation_id": "conv_abc123", "bot_id": "support_bot"],
            ])
        let id = try #require(created["task_id"]?.stringValue)
        #expect(created["status"] == "pending")
        #expect(created["created_by"] == "user123")
        #expect(created["created_at"] == "2024-01-15T10:00:00Z")
        #expect(created["due_date"] == "2024-01-16T10:00:00Z")
        #expect(created["assignee"] == ["user_id": "user456"])

        clock.advance(seconds: 600)
        let updated = try await result(
            "tasks.update", ["task_id": .string(id), "status": "in_progress", "progress": 60, "description": nil])
        #expect(updated["updated"] == true)
        #expect(updated["updated_fields"] == ["status", "progress"])
        #expect(updated["updated_at"] == "2024-01-15T10:10:00Z")
        #expect(updated["version"] == 2)

        let listed = try await result("tasks.list", ["status": "pending,in_progress", "tags": "urgent, support"])
        #expect(listed["total"] == 1)
        #expect(listed["tasks"]?.arrayValue?.first?["assignee"] == "user456")
        #expect(try await result("tasks.list", ["status": ["completed"]])["total"] == 0)

        let completed = try await result(
            "tasks.complete",
            ["task_id": .string(id), "resolution": "Refund processed", "time_spent_minutes": 90, "if_version": 2],
            as: "user456")
        #expect(completed["status"] == "completed")
        #expect(completed["completed_by"] == "user456")
        #expect(completed["completed_at"] == "2024-01-15T10:10:00Z")

        let got = try await result("tasks.get", ["task_id": .string(id)])
        #expect(got["time_spent_minutes"] == 90)
        #expect(got["progress"] == 100)

        #expect(
            try await result("tasks.delete", ["task_id": .string(id)]) == [
                "deleted": true, "task_id": .string(id), "version": 4,
            ])
        let history = try await result("tasks.history", ["task_id": .string(id)])
        #expect(history["history"]?.arrayValue?.count == 4)
        #expect(history["deleted"] == true)

        let gone = await error("tasks.get", ["task_id": .string(id)])
        #expect(gone?.code == 404)
        #expect(gone?.message == "Task \(id) not found")
        #expect(gone?.name == "task_not_found")
        #expect(store.recordsSinceSnapshot == 4)
    }

    static let unknownFields: [(String, JSONValue, String)] = [
        ("tasks.create", ["title": "x", "prioity": "high"], "prioity"),
        ("tasks.get", ["task_id": "tsk_0000000000000", "verbose": true], "verbose"),
        ("tasks.update", ["task_id": "tsk_0000000000000", "stauts": "pending"], "stauts"),
        ("tasks.list", ["sortby": "due_date"], "sortby"),
        ("tasks.complete", ["task_id": "tsk_0000000000000", "note": "x"], "note"),
        ("tasks.delete", ["task_id": "tsk_0000000000000", "force": true], "force"),
        ("tasks.history", ["task_id": "tsk_0000000000000", "limit": 5], "limit"),
    ]

    @Test(arguments: unknownFields)
    func unknownFieldsAreRefusedByName(method: String, params: JSONValue, field: String) async {
        let error = await error(method, params)
        #expect(error?.code == -32602)
        #expect(error?.data?["field"] == .string(field))
    }

    static let invalidCreates: [(JSONValue, String, String)] = [
        (["title": 5], "title", "invalid_params"),
        ([:], "title", "invalid_params"),
        (["title": "x", "due_date": true], "due_date", "invalid_due_date"),
        (["title": "x", "due_date": "2024-01-15T09:00:00Z"], "due_date", "invalid_due_date"),
        (["title": "x", "priority": "urgent"], "priority", "invalid_priority"),
        (["title": "x", "tags": "support"], "tags", "invalid_params"),
        (["title": "x", "context": ["n": 1]], "context.n", "invalid_params"),
    ]

    @Test(arguments: invalidCreates)
    func createValidationErrors(params: JSONValue, field: String, name: String) async {
        let error = await error("tasks.create", params)
        #expect(error?.code == -32602)
        #expect(error?.name == name)
        #expect(error?.data?["field"] == .string(field))
    }

    @Test func updateRefusesNullForFieldsThatCannotBeCleared() async throws {
        let id = try #require(try await result("tasks.create", ["title": "x"])["task_id"])
        let error = await error("tasks.update", ["task_id": id, "title": nil])
        #expect(error?.data?["field"] == "title")
        let cleared = try await result("tasks.update", ["task_id": id, "tags": nil, "due_date": nil])
        #expect(cleared["updated"] == false)
    }

    @Test func listValidatesPaging() async {
        #expect(await error("tasks.list", ["limit": 500])?.data?["field"] == "limit")
        #expect(await error("tasks.list", ["page": 0])?.data?["field"] == "page")
        #expect(await error("tasks.list", ["page": "2"])?.data?["field"] == "page")
        #expect(await error("tasks.list", ["status": 3])?.data?["field"] == "status")
        #expect(await error("tasks.list", [1, 2])?.code == -32602)
    }

    @Test func conflictsAreFourOhNine() async throws {
        let id = try #require(try await result("tasks.create", ["title": "x", "idempotency_key": "k"])["task_id"])
        let transition = await error("tasks.complete", ["task_id": id])
        #expect(transition?.code == 409)
        #expect(transition?.name == "invalid_transition")
        let version = await error("tasks.update", ["task_id": id, "progress": 1, "if_version": 9])
        #expect(version?.code == 409)
        #expect(version?.data?["current_version"] == 1)
        let reuse = await error("tasks.create", ["title": "y", "idempotency_key": "k"])
        #expect(reuse?.code == 409)
        #expect(reuse?.name == "already_exists")
        let retry = try await result("tasks.create", ["title": "x", "idempotency_key": "k"])
        #expect(retry["task_id"] == id)
        #expect(retry["replayed"] == true)
    }

    @Test func everyEngineErrorHasAWireCode() {
        let failure = StoreError(code: .failed, message: "fsync failed")
        let cases: [(EngineError, Int, String)] = [
            (.taskNotFound("tsk_1"), 404, "task_not_found"),
            (.invalidField(field: "f", error: "invalid_params", message: "m"), -32602, "invalid_params"),
            (.invalidTransition(taskID: "tsk_1", from: .pending, to: .completed), 409, "invalid_transition"),
            (.versionConflict(taskID: "tsk_1", current: 2, expected: 1), 409, "version_conflict"),
            (.idempotencyConflict(key: "k", taskID: "tsk_1"), 409, "already_exists"),
            (.permissionDenied("You don't have permission to modify this task"), 403, "permission_denied"),
            (.unavailable(failure), 503, "unavailable"),
            (.damaged("bad"), 503, "unavailable"),
        ]
        for (error, code, name) in cases {
            #expect(error.responseError.code == code)
            #expect(error.responseError.name == name)
            #expect(error.responseError.message == error.message)
        }
    }
}

struct TaskSchemaTests {
    @Test func theSchemaDescribesExactlyTheRegisteredTasksMethods() throws {
        let engine = try Engine.open(store: MemoryStore())
        let table = try MethodTable(
            TaskMethods.declarations(engine: engine) + CollaborationMethods.declarations(engine: engine)
                + TemplateMethods.declarations(engine: engine))
        let document = try JSONParser.parse(OpenRPCDocument.bytes)
        let methods = try #require(document["methods"]?.arrayValue)
        let names = methods.compactMap { $0["name"]?.stringValue }.filter { $0.hasPrefix("tasks.") }.sorted()
        #expect(names == table.methodNames.filter { $0.hasPrefix("tasks.") })
        for method in methods where method["name"]?.stringValue?.hasPrefix("tasks.") == true {
            #expect(method["summary"]?.stringValue?.isEmpty == false)
            #expect(method["result"]?["schema"] != nil)
            #expect(method["errors"]?.arrayValue?.isEmpty == false)
        }
    }
}
