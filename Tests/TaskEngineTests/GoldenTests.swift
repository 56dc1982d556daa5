import Foundation
import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// Every reply shape, compared with the files in `Golden/` (field names follow the spec's examples).
///
/// Set `TASKWIRE_RECORD_GOLDEN=1` to rewrite the files after an intended change, then review the diff.
@Suite(.closesTestStores)
struct GoldenTests {
    static func check(_ value: JSONValue, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let actual = JSONWriter.prettyString(value)
        if ProcessInfo.processInfo.environment["TASKWIRE_RECORD_GOLDEN"] == "1" {
            let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
            try actual.write(to: directory.appendingPathComponent("\(name).json"), atomically: true, encoding: .utf8)
            return
        }
        let url = try #require(
            Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Golden"),
            sourceLocation: sourceLocation)
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, sourceLocation: sourceLocation)
    }

    /// The spec's scenario: create, start, complete, list, history, delete.
    @Test func replyShapes() async throws {
        let fixture = try Fixture()
        let engine = fixture.engine
        var input = NewTask(title: "Review customer complaint")
        input.description = "Investigate and respond to customer issue #1234"
        input.assignee = "user456"
        input.dueDate = .text("2024-01-20T17:00:00Z")
        input.priority = "high"
        input.tags = ["support", "urgent"]
        input.context = ["conversation_id": "conv_abc123", "bot_id": "support_bot"]
        let created = try await engine.create(input, by: Caller(user: "user123")).value
        try Self.check(created.json(directory: engine.directory), "create")
        let id = created.task.id

        fixture.clock.advance(seconds: 4 * 3600 + 1800)
        var patch = TaskPatch()
        patch.status = "in_progress"
        patch.progress = 60
        patch.assignee = .some("user789")
        patch.requestOrder = ["task_id", "status", "progress", "assignee"]
        let updated = try await engine.update(id, patch, by: Caller(user: "user456")).value
        try Self.check(updated.json, "update")
        try Self.check(try await engine.taskDetail(id), "get")

        var query = TaskQuery()
        query.statuses = ["in_progress"]
        try Self.check(try await engine.list(query).json, "list")

        fixture.clock.advance(seconds: 5400)
        let completion = Completion(
            resolution: "Issue resolved - refund processed", timeSpentMinutes: 90,
            outcomes: ["customer_satisfied", "refund_issued"])
        let completed = try await engine.complete(id, completion, by: Caller(user: "user456")).value
        try Self.check(completed.json, "complete")

        let deleted = try await engine.delete(id, by: Caller(user: "user123")).value
        try Self.check(deleted.json, "delete")
        try Self.check(try await engine.history(id).json, "history")
    }

    @Test func errorShapes() async throws {
        let fixture = try Fixture()
        let engine = fixture.engine
        var errors = JSONObject()
        func record(_ name: String, _ body: () async throws -> Void) async {
            errors.append(name, (await engineError(body))?.json ?? .null)
        }
        await record("task_not_found") { _ = try await engine.task(try taskID("tsk_xyz789")) }
        await record("invalid_due_date") {
            var input = NewTask(title: "Late")
            input.dueDate = .text("2024-01-01T00:00:00Z")
            _ = try await engine.create(input, by: .system)
        }
        await record("invalid_priority") {
            var input = NewTask(title: "Odd")
            input.priority = "urgent"
            _ = try await engine.create(input, by: .system)
        }
        await record("invalid_params") { _ = try await engine.create(NewTask(title: " "), by: .system) }
        let task = try await fixture.create("Task") { $0.idempotencyKey = "once" }
        await record("invalid_transition") { _ = try await engine.complete(task.id, Completion(), by: .system) }
        await record("version_conflict") {
            var patch = TaskPatch()
            patch.progress = 5
            _ = try await engine.update(task.id, patch, ifVersion: 7, by: .system)
        }
        await record("already_exists") { try await fixture.create("Other") { $0.idempotencyKey = "once" } }
        try Self.check(.object(errors), "errors")
    }
}
