import JSON
import JSONRPC
import TaskEngine
import TaskStore
import Testing

@testable import TaskwireServer

/// `tasks.list` tells an absent `assignee` (no filter) from `assignee: null` (only unassigned tasks).
struct ListAssigneeNullTests {
    @Test func nullAssigneeListsUnassignedTasks() async throws {
        let engine = try Engine.open(store: MemoryStore(), clock: ManualTimeSource("2024-01-15T10:00:00Z"))
        let table = try MethodTable(TaskMethods.declarations(engine: engine))
        let context = RequestContext(connectionID: 1, user: "user123")
        let free = try await table.call("tasks.create", ["title": "Free"], context: context).get()
        _ = try await table.call("tasks.create", ["title": "Ann's", "assignee": "ann"], context: context).get()
        let unassigned = try await table.call("tasks.list", ["assignee": .null], context: context).get()
        #expect(unassigned["tasks"]?.arrayValue?.map { $0["task_id"] } == [free["task_id"]])
        #expect(unassigned["total"] == 1)
        let everyone = try await table.call("tasks.list", [:], context: context).get()
        #expect(everyone["total"] == 2)
    }
}
