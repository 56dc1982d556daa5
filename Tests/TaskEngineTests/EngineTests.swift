import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

@Suite(.closesTestStores)
struct EngineTests {
    @Test func createStoresEveryFieldAndDefaults() async throws {
        let fixture = try Fixture()
        let task = try await fixture.create("Review customer complaint") {
            $0.description = "Investigate issue #1234"
            $0.assignee = "user456"
            $0.dueDate = .text("2024-01-20T19:00:00+02:00")
            $0.priority = "high"
            $0.tags = ["support", "urgent", "support"]
            $0.context = ["conversation_id": "conv_abc123", "bot_id": "support_bot"]
        }
        #expect(task.id.description.hasPrefix("tsk_"))
        #expect(task.status == .pending)
        #expect(task.priority == .high)
        #expect(task.dueDate?.rfc3339 == "2024-01-20T17:00:00Z")
        #expect(task.tags == ["support", "urgent"])
        #expect(task.context.map(\.key) == ["conversation_id", "bot_id"])
        #expect(task.createdBy == "user123")
        #expect(task.createdAt.rfc3339 == "2024-01-15T10:00:00Z")
        #expect(task.version == 1)
        let fetched = try await fixture.engine.task(task.id)
        #expect(fetched == task)

        let plain = try await fixture.create("Plain")
        #expect(plain.priority == .medium)
        #expect(plain.description == nil && plain.assignee == nil && plain.dueDate == nil)
        #expect(plain.id > task.id)
    }

    @Test func dueDateAcceptsEpochSeconds() async throws {
        let fixture = try Fixture()
        // What BASIC's NOW() + 24 * 3600 yields.
        let task = try await fixture.create("Follow up") { $0.dueDate = .epochSeconds(1_705_312_800 + 24 * 3600) }
        #expect(task.dueDate?.rfc3339 == "2024-01-16T10:00:00Z")
    }

    @Test func unknownTaskIsNotFoundWithTheSpecMessage() async throws {
        let fixture = try Fixture()
        let error = await engineError { _ = try await fixture.engine.task(try taskID("tsk_xyz789")) }
        #expect(error == .taskNotFound("tsk_xyz789"))
        #expect(error?.message == "Task tsk_xyz789 not found")
        #expect(error?.name == "task_not_found")
    }

    struct CreateCase: Sendable, CustomStringConvertible {
        var label: String
        var field: String
        var name: String
        var configure: @Sendable (inout NewTask) -> Void
        var description: String { label }
    }

    static let invalidCreates: [CreateCase] = [
        .init(label: "empty title", field: "title", name: "invalid_params") { $0.title = "" },
        .init(label: "blank title", field: "title", name: "invalid_params") { $0.title = " \n\t " },
        .init(label: "long title", field: "title", name: "invalid_params") {
            $0.title = String(repeating: "é", count: 501)
        },
        .init(label: "long description", field: "description", name: "invalid_params") {
            $0.description = String(repeating: "x", count: 20_001)
        },
        .init(label: "priority", field: "priority", name: "invalid_priority") { $0.priority = "urgent" },
        .init(label: "past due", field: "due_date", name: "invalid_due_date") {
            $0.dueDate = .text("2024-01-15T09:59:59Z")
        },
        .init(label: "due now", field: "due_date", name: "invalid_due_date") {
            $0.dueDate = .text("2024-01-15T10:00:00Z")
        },
        .init(label: "malformed due", field: "due_date", name: "invalid_due_date") {
            $0.dueDate = .text("next tuesday")
        },
        .init(label: "impossible due", field: "due_date", name: "invalid_due_date") {
            $0.dueDate = .text("2025-02-30T10:00:00Z")
        },
        .init(label: "too many tags", field: "tags", name: "invalid_params") {
            $0.tags = (0...20).map { "tag\($0)" }
        },
        .init(label: "empty tag", field: "tags", name: "invalid_params") { $0.tags = [""] },
        .init(label: "long tag", field: "tags", name: "invalid_params") {
            $0.tags = [String(repeating: "t", count: 65)]
        },
        .init(label: "context number", field: "context.count", name: "invalid_params") {
            $0.context = ["count": 3]
        },
        .init(label: "context too many keys", field: "context", name: "invalid_params") {
            $0.context = JSONObject((0...32).map { (key: "k\($0)", value: JSONValue.string("v")) })
        },
        .init(label: "empty assignee", field: "assignee", name: "invalid_params") { $0.assignee = "" },
        .init(label: "empty idempotency key", field: "idempotency_key", name: "invalid_params") {
            $0.idempotencyKey = ""
        },
    ]

    @Test(arguments: invalidCreates)
    func createRejectsInvalidFields(_ testCase: CreateCase) async throws {
        let fixture = try Fixture()
        var input = NewTask(title: "Valid")
        testCase.configure(&input)
        let error = await engineError { _ = try await fixture.engine.create(input, by: .system) }
        guard case .invalidField(let field, let name, _)? = error else {
            Issue.record("expected an invalid field, got \(String(describing: error))")
            return
        }
        #expect(field == testCase.field)
        #expect(name == testCase.name)
        #expect(fixture.store.recordsSinceSnapshot == 0)
    }

    @Test func pastDueDateHasTheSpecMessage() async throws {
        let fixture = try Fixture()
        let error = await engineError { _ = try await fixture.create("x") { $0.dueDate = .epochSeconds(0) } }
        #expect(error?.message == "Due date must be in the future")
        #expect(error?.name == "invalid_due_date")
    }

    static let invalidUpdates: [(String, String, @Sendable (inout TaskPatch) -> Void)] = [
        ("title", "invalid_params", { $0.title = "   " }),
        ("priority", "invalid_priority", { $0.priority = "none" }),
        ("status", "invalid_params", { $0.status = "done" }),
        ("progress", "invalid_params", { $0.progress = 101 }),
        ("progress", "invalid_params", { $0.progress = -1 }),
        ("time_spent_minutes", "invalid_params", { $0.timeSpentMinutes = -5 }),
        ("due_date", "invalid_due_date", { $0.dueDate = .some(.text("2020-01-01T00:00:00Z")) }),
        ("due_date", "invalid_due_date", { $0.dueDate = .some(.text("2024-01-15")) }),
        ("task_id", "invalid_params", { _ in }),
    ]

    @Test func updateRejectsInvalidFields() async throws {
        let fixture = try Fixture()
        let task = try await fixture.create("Task")
        for (field, name, configure) in Self.invalidUpdates {
            let error = await engineError { try await fixture.update(task.id, configure) }
            #expect(error?.name == name, "\(field)")
            #expect(error?.details["field"] == .string(field), "\(field)")
        }
        #expect(try await fixture.engine.task(task.id) == task)
    }

    @Test func updateChangesFieldsClearsNullsAndReportsThemInRequestOrder() async throws {
        let fixture = try Fixture()
        let task = try await fixture.create("Task") {
            $0.description = "old"
            $0.assignee = "user456"
            $0.dueDate = .text("2024-02-01T00:00:00Z")
        }
        fixture.clock.advance(seconds: 3600)
        var patch = TaskPatch()
        patch.status = "in_progress"
        patch.progress = 60
        patch.assignee = .some("user789")
        patch.description = .some(nil)
        patch.dueDate = .some(nil)
        patch.title = "Task"
        patch.requestOrder = ["task_id", "status", "progress", "assignee", "description", "due_date", "title"]
        let updated = try await fixture.engine.update(task.id, patch, by: Caller(user: "user456")).value
        #expect(updated.updatedFields == ["status", "progress", "assignee", "description", "due_date"])
        #expect(updated.task.updatedAt.rfc3339 == "2024-01-15T11:00:00Z")
        #expect(updated.task.version == 2)
        #expect(updated.task.description == nil && updated.task.dueDate == nil)
        #expect(updated.task.assignee == "user789")

        // The same values again change nothing and record nothing.
        let records = fixture.store.recordsSinceSnapshot
        let again = try await fixture.update(task.id) { $0.progress = 60 }
        #expect(again.updatedFields.isEmpty)
        #expect(again.task.version == 2)
        #expect(fixture.store.recordsSinceSnapshot == records)
    }

    /// Every status pair through `tasks.update`: which moves are allowed.
    static let allowedMoves: Set<String> = [
        "pending>in_progress", "pending>cancelled", "in_progress>completed", "in_progress>cancelled",
        "completed>pending", "completed>in_progress", "cancelled>pending", "cancelled>in_progress",
    ]

    static let statusPairs = TaskStatus.allCases.flatMap { from in TaskStatus.allCases.map { (from, $0) } }

    @Test(arguments: statusPairs)
    func statusMachine(from: TaskStatus, to: TaskStatus) async throws {
        let fixture = try Fixture()
        let task = try await fixture.create("Task")
        switch from {
        case .pending: break
        case .inProgress: try await fixture.setStatus(task.id, .inProgress)
        case .completed:
            try await fixture.setStatus(task.id, .inProgress)
            _ = try await fixture.engine.complete(task.id, Completion(), by: .system)
        case .cancelled: try await fixture.setStatus(task.id, .cancelled)
        }
        let before = try await fixture.engine.task(task.id)
        #expect(before.status == from)
        let error = await engineError { try await fixture.setStatus(task.id, to) }
        let after = try await fixture.engine.task(task.id)
        if from == to {
            #expect(error == nil)
            #expect(after == before)
        } else if Self.allowedMoves.contains("\(from.rawValue)>\(to.rawValue)") {
            #expect(error == nil)
            #expect(after.status == to)
            #expect(after.version == before.version + 1)
        } else {
            #expect(error == .invalidTransition(taskID: task.id.description, from: from, to: to))
            #expect(error?.message == "Task \(task.id) cannot move from \(from.rawValue) to \(to.rawValue)")
            #expect(after == before)
        }
    }

    @Test(arguments: TaskStatus.allCases)
    func completeOnlyFromInProgress(from: TaskStatus) async throws {
        let fixture = try Fixture()
        let task = try await fixture.create("Task")
        if from != .pending { try await fixture.setStatus(task.id, from == .cancelled ? .cancelled : .inProgress) }
        if from == .completed { try await fixture.setStatus(task.id, .completed) }
        let error = await engineError { _ = try await fixture.engine.complete(task.id, Completion(), by: .system) }
        if from == .inProgress {
            #expect(error == nil)
        } else {
            #expect(error == .invalidTransition(taskID: task.id.description, from: from, to: .completed))
        }
    }

    @Test func completeRecordsWhoWhenHowAndAddsTime() async throws {
        let fixture = try Fixture()
        let task = try await fixture.create("Task")
        try await fixture.update(task.id) {
            $0.status = "in_progress"
            $0.timeSpentMinutes = 30
            $0.progress = 40
        }
        fixture.clock.advance(seconds: 7200)
        let completion = Completion(
            resolution: "Issue resolved - refund processed", timeSpentMinutes: 90,
            outcomes: ["customer_satisfied", "refund_issued"])
        let done = try await fixture.engine.complete(task.id, completion, by: Caller(user: "user456")).value.task
        #expect(done.status == .completed)
        #expect(done.completedAt?.rfc3339 == "2024-01-15T12:00:00Z")
        #expect(done.completedBy == "user456")
        #expect(done.progress == 100)
        #expect(done.timeSpentMinutes == 120)
        #expect(done.resolution == "Issue resolved - refund processed")
        #expect(done.outcomes == ["customer_satisfied", "refund_issued"])

        // Reopening clears who completed it and when.
        try await fixture.setStatus(task.id, .inProgress)
        let reopened = try await fixture.engine.task(task.id)
        #expect(reopened.completedAt == nil && reopened.completedBy == nil)
        #expect(reopened.status == .inProgress)

        let error = await engineError {
            _ = try await fixture.engine.complete(task.id, Completion(timeSpentMinutes: -1), by: .system)
        }
        #expect(error?.details["field"] == "time_spent_minutes")
    }

    @Test func idempotentCreateReturnsTheOriginalAndSurvivesReplay() async throws {
        let fixture = try Fixture()
        let configure: (inout NewTask) -> Void = {
            $0.idempotencyKey = "req-1"
            $0.priority = "high"
            $0.dueDate = .text("2024-01-20T17:00:00Z")
            $0.context = ["b": "2", "a": "1"]
        }
        let first = try await fixture.create("Call back", configure: configure)
        let records = fixture.store.recordsSinceSnapshot
        fixture.clock.advance(seconds: 60)
        let retry = try await fixture.engine.create(
            {
                var input = NewTask(title: "Call back")
                configure(&input)
                // The same instant as epoch seconds and the same context in another order are the same params.
                input.dueDate = .epochSeconds(1_705_770_000)
                input.context = ["a": "1", "b": "2"]
                return input
            }(), by: Caller(user: "user123")
        ).value
        #expect(retry.replayed)
        #expect(retry.task.id == first.id)
        #expect(fixture.store.recordsSinceSnapshot == records)

        let conflict = await engineError {
            try await fixture.create("Call back later", configure: configure)
        }
        #expect(conflict == .idempotencyConflict(key: "req-1", taskID: first.id.description))
        #expect(conflict?.name == "already_exists")

        // Keys belong to the creating user.
        let other = try await fixture.create("Call back", by: "user999", configure: configure)
        #expect(other.id != first.id)

        let reopened = try fixture.reopen()
        let replayed = try await reopened.create(
            {
                var input = NewTask(title: "Call back")
                configure(&input)
                return input
            }(), by: Caller(user: "user123")
        ).value
        #expect(replayed.replayed && replayed.task.id == first.id)
    }

    @Test func staleIfVersionChangesNothing() async throws {
        let fixture = try Fixture()
        let task = try await fixture.create("Task")
        try await fixture.update(task.id) { $0.progress = 10 }
        let current = try await fixture.engine.task(task.id)
        var patch = TaskPatch()
        patch.progress = 20
        let stale = await engineError { _ = try await fixture.engine.update(task.id, patch, ifVersion: 1, by: .system) }
        #expect(stale == .versionConflict(taskID: task.id.description, current: 2, expected: 1))
        #expect(stale?.details["current_version"] == 2)
        let staleComplete = await engineError {
            _ = try await fixture.engine.complete(task.id, Completion(), ifVersion: 1, by: .system)
        }
        #expect(staleComplete?.name == "version_conflict")
        let staleDelete = await engineError { _ = try await fixture.engine.delete(task.id, ifVersion: 3, by: .system) }
        #expect(staleDelete?.name == "version_conflict")
        #expect(try await fixture.engine.task(task.id) == current)
        let updated = try await fixture.engine.update(task.id, patch, ifVersion: 2, by: .system).value
        #expect(updated.task.version == 3)
    }

    @Test func historyListsEveryChangeAndOutlivesDeletion() async throws {
        let fixture = try Fixture()
        let task = try await fixture.create("Task", by: "user123") { $0.assignee = "user456" }
        fixture.clock.advance(seconds: 60)
        try await fixture.update(task.id, by: "user456") { $0.status = "in_progress" }
        fixture.clock.advance(seconds: 60)
        try await fixture.update(task.id, by: "user456") { $0.assignee = .some("user789") }
        fixture.clock.advance(seconds: 60)
        _ = try await fixture.engine.complete(task.id, Completion(resolution: "done"), by: Caller(user: "user789"))
        fixture.clock.advance(seconds: 60)
        let deleted = try await fixture.engine.delete(task.id, by: Caller(user: "admin")).value
        #expect(deleted.taskID == task.id && deleted.version == 5)

        #expect(await engineError { _ = try await fixture.engine.task(task.id) } == .taskNotFound(task.id.description))
        #expect(try await fixture.engine.list(TaskQuery()).total == 0)
        #expect(
            await engineError { _ = try await fixture.engine.delete(task.id, by: .system) }
                == .taskNotFound(task.id.description))

        let history = try await fixture.engine.history(task.id)
        #expect(history.deleted)
        #expect(
            history.events.map(\.type) == [.taskCreated, .taskUpdated, .taskAssigned, .taskCompleted, .taskDeleted])
        #expect(history.events.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(history.events.map(\.actor) == ["user123", "user456", "user456", "user789", "admin"])
        #expect(history.events.map(\.version) == [1, 2, 3, 4, 5])
        #expect(history.events[1].changes["status"] == ["old": "pending", "new": "in_progress"])
        #expect(history.events[2].changes["assignee"] == ["old": "user456", "new": "user789"])
        #expect(history.events[3].changes["resolution"] == ["old": nil, "new": "done"])
        #expect(history.events[3].at.rfc3339 == "2024-01-15T10:03:00Z")
        #expect(history.events[0].changes["title"] == ["old": nil, "new": "Task"])

        #expect(await engineError { _ = try await fixture.engine.history(try taskID("tsk_0000000000000")) } != nil)
    }

    @Test func failedAppendChangesNothing() async throws {
        let fixture = try Fixture(on: .memory)
        let task = try await fixture.create("Task") { $0.idempotencyKey = "k" }
        let before = await fixture.engine.exportDocument()
        let failure = StoreError(code: .diskFull, message: "No space left on device.")

        try fixture.memory.failNextAppend(with: failure)
        var error = await engineError { try await fixture.create("Another") { $0.idempotencyKey = "k2" } }
        #expect(error == .unavailable(failure))
        #expect(error?.name == "unavailable")
        try fixture.memory.failNextAppend(with: failure)
        error = await engineError { try await fixture.update(task.id) { $0.status = "in_progress" } }
        #expect(error == .unavailable(failure))
        try fixture.memory.failNextAppend(with: failure)
        error = await engineError { _ = try await fixture.engine.delete(task.id, by: .system) }
        #expect(error == .unavailable(failure))

        #expect(await fixture.engine.exportDocument() == before)
        #expect(try await fixture.engine.task(task.id) == task)
        #expect(try await fixture.engine.list(TaskQuery()).tasks == [task])
        #expect(await fixture.engine.lastSeq == 1)
        // The refused key was not remembered: using it now creates a task.
        let created = try await fixture.create("Another") { $0.idempotencyKey = "k2" }
        #expect(created.id > task.id)
        #expect(await fixture.engine.lastSeq == 2)
    }

    @Test func eventsAreNumberedInCommitOrderAndStreamedToSubscribers() async throws {
        let fixture = try Fixture()
        let stream = await fixture.engine.subscribe()
        let first = try await fixture.create("One")
        try await fixture.update(first.id) { $0.assignee = .some("user456") }
        _ = try await fixture.engine.delete(first.id, by: .system)

        var received: [Event] = []
        for await event in stream {
            received.append(event)
            if received.count == 3 { break }
        }
        #expect(received.map(\.type) == [.taskCreated, .taskAssigned, .taskDeleted])
        #expect(received.map(\.seq) == [1, 2, 3])

        let caughtUp = try await fixture.engine.events(after: 1, limit: 10)
        #expect(caughtUp == Array(received.dropFirst()))
        #expect(try await fixture.engine.events(after: 0, limit: 1).map(\.seq) == [1])
        #expect(try await fixture.engine.events(after: 3, limit: 10).isEmpty)
        #expect(try await fixture.engine.events(after: 2, limit: .max).map(\.seq) == [3])
    }

    @Test func eventTimesNeverGoBackwards() async throws {
        let fixture = try Fixture()
        let first = try await fixture.create("One")
        fixture.clock.advance(seconds: -3600)
        let second = try await fixture.create("Two")
        #expect(second.createdAt == first.createdAt)
        #expect(second.id > first.id)
    }
}

@Suite(.closesTestStores)
struct EngineHookTests {
    struct Directory: UserDirectory {
        func profile(of userID: UserID) -> UserProfile? {
            userID == "user456"
                ? UserProfile(userID: userID, name: "Jane Smith", avatarURL: "https://example.com/avatar.jpg") : nil
        }
    }

    @Test func getExpandsTheAssigneeThroughTheDirectory() async throws {
        let engine = try Engine.open(
            store: MemoryStore(), clock: ManualTimeSource("2024-01-15T10:00:00Z"), directory: Directory())
        var input = NewTask(title: "Known")
        input.assignee = "user456"
        let known = try await engine.create(input, by: .system).value.task
        input.assignee = "user999"
        let unknown = try await engine.create(input, by: .system).value.task
        #expect(
            try await engine.taskDetail(known.id)["assignee"]
                == ["user_id": "user456", "name": "Jane Smith", "avatar_url": "https://example.com/avatar.jpg"])
        #expect(try await engine.taskDetail(unknown.id)["assignee"] == ["user_id": "user999"])
        #expect(try await engine.list(TaskQuery()).json["tasks"]?.arrayValue?.last?["assignee"] == "user456")
    }

    @Test func completingThroughUpdateSetsCompletionFields() async throws {
        let fixture = try Fixture()
        let task = try await fixture.create("Task")
        try await fixture.setStatus(task.id, .inProgress)
        fixture.clock.advance(seconds: 60)
        let updated = try await fixture.update(task.id, by: "user456") { $0.status = "completed" }
        #expect(updated.updatedFields == ["status", "progress", "completed_at", "completed_by"])
        #expect(updated.task.completedBy == "user456")
        #expect(updated.task.completedAt?.rfc3339 == "2024-01-15T10:01:00Z")
        #expect(updated.task.progress == 100)
        let history = try await fixture.engine.history(task.id)
        #expect(history.events.last?.type == .taskCompleted)
    }
}
