import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// `tasks.list {assignee: null}`, `avatar_url: null`, writing back an overdue task, and the search worker.
@Suite(.closesTestStores)
struct UserFacingFixTests {
    @Test func unassignedFilterFindsTasksNobodyOwns() async throws {
        let fixture = try Fixture()
        let free = try await fixture.create("Nobody's")
        let owned = try await fixture.create("Ann's") { $0.assignee = "ann" }
        let freed = try await fixture.create("Was Bob's") { $0.assignee = "bob" }
        try await fixture.update(freed.id) { $0.assignee = .some(nil) }
        let taken = try await fixture.create("Taken later")
        try await fixture.update(taken.id) { $0.assignee = "cy" }
        let deleted = try await fixture.create("Deleted")
        _ = try await fixture.engine.delete(deleted.id, by: .system)

        var query = TaskQuery()
        query.unassigned = true
        query.sort = "created_at"
        query.order = "asc"
        let page = try await fixture.engine.list(query)
        #expect(page.tasks.map(\.id) == [free.id, freed.id])
        #expect(page.total == 2)

        query.statuses = ["pending"]
        query.search = "was"
        #expect(try await fixture.engine.list(query).tasks.map(\.id) == [freed.id])

        // The index survives a restart (it is rebuilt from the tasks).
        let reopened = try fixture.reopen()
        var again = TaskQuery()
        again.unassigned = true
        #expect(try await reopened.list(again).total == 2)
        again.assignee = "ann"
        #expect(try await reopened.list(again).total == 0)
        _ = owned
    }

    @Test func knownUserWithoutAvatarShowsNull() async throws {
        let fixture = try Fixture()
        _ = try await fixture.engine.upsertUser(UserInput(userID: "ann", name: "Ann", role: "member"), by: .system)
        let task = try await fixture.create("Ann's") { $0.assignee = "ann" }
        let stranger = try await fixture.create("Unknown's") { $0.assignee = "zed" }
        #expect(
            try await fixture.engine.taskDetail(task.id)["assignee"]
                == ["user_id": "ann", "name": "Ann", "avatar_url": .null])
        #expect(try await fixture.engine.taskDetail(stranger.id)["assignee"] == ["user_id": "zed"])
    }

    @Test func writingBackAnOverdueDueDateIsNoChange() async throws {
        let fixture = try Fixture()
        let task = try await fixture.create("Soon") { $0.dueDate = .text("2024-01-15T11:00:00Z") }
        fixture.clock.advance(seconds: 7200)
        let written = try await fixture.update(task.id) {
            $0.dueDate = .some(.text("2024-01-15T11:00:00Z"))
            $0.title = "Soon"
        }
        #expect(written.updatedFields.isEmpty)
        #expect(written.task.version == 1)
        let moved = await engineError {
            try await fixture.update(task.id) { $0.dueDate = .some(.text("2024-01-15T11:30:00Z")) }
        }
        #expect(moved?.name == "invalid_due_date")
        let later = try await fixture.update(task.id) { $0.dueDate = .some(.text("2024-01-16T11:00:00Z")) }
        #expect(later.updatedFields == ["due_date"])
    }

    @Test func searchesRunOnOneThreadAndNeverBlockOtherCalls() async throws {
        let fixture = try Fixture()
        for index in 0..<50 { try await fixture.create("Task \(index)") { $0.description = "needle \(index)" } }
        // More searches than the worker queues at once: the rest wait for a place and all still answer.
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<(SearchWorker.capacity * 3) {
                group.addTask {
                    var query = TaskQuery()
                    query.search = "needle \(index % 50)"
                    query.limit = 200
                    return try await fixture.engine.list(query).total
                }
            }
            group.addTask { try await fixture.engine.list(TaskQuery()).total }
            var totals: [Int] = []
            for try await total in group { totals.append(total) }
            #expect(totals.count == SearchWorker.capacity * 3 + 1)
            #expect(totals.allSatisfy { $0 >= 1 })
        }
    }
}
