import Foundation
import Glibc
import JSON
import TestSupport
import Testing

/// Overdue detection through the real binary on the real clock: a task due two seconds ahead is reminded
/// of at once (the lead is longer than the time left), pushed as overdue once its due date passes, and
/// stays overdue without firing again after a restart. Every wait is on a pushed event, with a timeout.
struct OverdueEndToEndTests {
    /// Creates tasks due soon on top of the shared ``EventReader``.
    final class DueSoonReader {
        let events: EventReader

        init(_ server: ServerProcess) { events = EventReader(server) }

        func next() async throws -> JSONValue { try await events.next() }

        func call(_ method: String, params: JSONValue) async throws -> JSONValue {
            try await events.call(method, params: params)
        }

        /// Creates a task due two seconds from now; returns its id and due date as the server stored it.
        func createDueSoon(title: String) async throws -> (String, String) {
            let due = Date().timeIntervalSince1970 + 2
            let created = try await call("tasks.create", params: ["title": .string(title), "due_date": .double(due)])
            return (
                try #require(created["task_id"]?.stringValue, "\(created)"),
                try #require(created["due_date"]?.stringValue, "\(created)")
            )
        }
    }

    @Test func aPassingDueDateIsPushedOnceAndSurvivesARestart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.appending("data")
        let server = try ServerProcess(arguments: ["--data-dir", data, "--log-level", "error"])
        defer { server.kill() }
        let subscribed = try await server.client.call(
            "events.subscribe", params: ["types": ["task_due_soon", "task_overdue"]])
        #expect(subscribed["result"]?["subscription_id"] != nil, "\(subscribed)")
        let events = DueSoonReader(server)
        let (taskID, due) = try await events.createDueSoon(title: "Call the customer back")

        let soon = try await events.next()
        #expect(soon["type"] == "task_due_soon")
        #expect(soon["due_soon"]?["due_date"]?.stringValue == due)
        #expect(soon["due_soon"]?["lead_seconds"]?.intValue == 3600)
        let overdue = try await events.next()
        #expect(overdue["type"] == "task_overdue")
        #expect(overdue["actor"] == ["type": "system", "user_id": "system"])
        #expect(overdue["subject"] == ["type": "task", "id": .string(taskID)])
        #expect(overdue["object"]?["task_id"]?.stringValue == taskID)
        #expect(overdue["object"]?["version"] == 1)
        #expect(overdue["overdue"]?["due_date"]?.stringValue == due)
        #expect(overdue["changes"] == [:])
        let listed = try await server.client.call("tasks.list", params: ["overdue": true])
        #expect(listed["result"]?["tasks"]?.arrayValue?.compactMap { $0["task_id"]?.stringValue } == [taskID])
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)

        // The next start neither loses nor repeats it: the reminders ran before serving.
        let second = try ServerProcess(arguments: ["--data-dir", data, "--log-level", "error"])
        defer { second.kill() }
        let history = try await second.client.call("tasks.history", params: ["task_id": .string(taskID)])
        let actions = history["result"]?["history"]?.arrayValue?.compactMap { $0["action"]?.stringValue }
        #expect(actions == ["task_created", "task_due_soon", "task_overdue"], "\(history)")
        let again = try await second.client.call("tasks.list", params: ["overdue": true])
        #expect(again["result"]?["total"] == 1)
    }

    @Test func noRemindersWithALeadOfZero() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try ServerProcess(arguments: [
            "--data-dir", directory.appending("data"), "--log-level", "error", "--remind-before-minutes", "0",
        ])
        defer { server.kill() }
        _ = try await server.client.call("events.subscribe", params: ["types": ["task_due_soon", "task_overdue"]])
        let events = DueSoonReader(server)
        let (taskID, _) = try await events.createDueSoon(title: "No reminder")
        // Events arrive in commit order: a reminder would have come first.
        let first = try await events.next()
        #expect(first["type"] == "task_overdue")
        #expect(first["object"]?["task_id"]?.stringValue == taskID)
    }

    @Test func aBadLeadIsAUsageError() async throws {
        for value in ["-1", "soon", "525601"] {
            let result = try await CommandResult.run(["--in-memory", "--remind-before-minutes", value])
            #expect(result.status == 64, "\(value)")
            #expect(result.standardError.contains("--remind-before-minutes"), "\(value)")
        }
    }
}
