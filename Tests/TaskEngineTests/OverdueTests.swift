import Foundation
import JSON
import Locking
import StoreTestSupport
import TaskStore
import TestSupport
import Testing

@testable import TaskEngine

/// `task_overdue` and `task_due_soon`: each fires once per due date of an open task, from the engine's one
/// scheduler, driven here by the hand-moved clock; tests wait on ``Engine/schedulerSettled()`` or the feed.
@Suite(.closesTestStores)
struct OverdueTests {
    /// The reminder events committed so far, oldest first.
    static func reminders(_ engine: Engine) async throws -> [Event] {
        try await engine.events(after: 0, limit: .max).filter { $0.type.isDueReminder }
    }

    /// `(type, task, due date it fired for)` of each reminder event, oldest first.
    static func fired(_ engine: Engine) async throws -> [(EventType, TaskID, String)] {
        try await reminders(engine).map { event in
            (event.type, try #require(event.taskID), event.detail?["due_date"]?.stringValue ?? "")
        }
    }

    /// Moves the clock and waits (at most 20 seconds) until the scheduler fired everything due.
    static func advance(_ fixture: Fixture, hours: Double) async throws {
        fixture.clock.advance(seconds: Int64(hours * 3600))
        try await settled(fixture.engine)
    }

    /// Waits (at most 20 seconds) until the scheduler fired everything due at the clock's time.
    static func settled(_ engine: Engine) async throws {
        try await within("the scheduler to settle") { await engine.schedulerSettled() }
    }

    /// The value of `body`, or ``TestTimeout`` when it takes more than 20 seconds (the hung body is left).
    static func within<T: Sendable>(
        _ what: String, _ body: @escaping @Sendable () async -> T
    ) async throws -> T {
        let outcome = Outcome<T>()
        return try await withCheckedThrowingContinuation { continuation in
            outcome.continuation.withLock { $0 = continuation }
            Task { outcome.finish(.success(await body())) }
            Task {
                try? await Task.sleep(for: .seconds(20))
                outcome.finish(.failure(TestTimeout(what)))
            }
        }
    }

    /// Resumes a continuation once, with whichever result comes first.
    final class Outcome<T: Sendable>: Sendable {
        let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

        func finish(_ result: Result<T, any Error>) {
            continuation.withLock { $0.take() }?.resume(with: result)
        }
    }

    static func started(on backend: TestStore.Backend = .thisPass) async throws -> Fixture {
        let fixture = try Fixture(on: backend)
        await fixture.engine.startScheduler()
        return fixture
    }

    static func due(_ fixture: Fixture, inHours hours: Double) -> TimeInput {
        .text(fixture.clock.now().adding(seconds: Int64(hours * 3600)).rfc3339)
    }

    @Test func overdueFiresOnceAsSystemWithoutChangingTheTask() async throws {
        let fixture = try await Self.started()
        let task = try await fixture.create("Call back") { $0.dueDate = Self.due(fixture, inHours: 2) }
        let dueText = try #require(task.dueDate?.rfc3339)
        try await Self.advance(fixture, hours: 1.5)
        #expect(try await Self.fired(fixture.engine).map(\.0) == [.taskDueSoon])
        #expect(await !fixture.engine.state.tasks.isOverdue(task.id))
        try await Self.advance(fixture, hours: 1)
        try await Self.advance(fixture, hours: 48)
        let events = try await Self.reminders(fixture.engine)
        #expect(events.map(\.type) == [.taskDueSoon, .taskOverdue])
        let overdue = try #require(events.last)
        #expect(overdue.actor == Caller.system.user)
        #expect(overdue.version == task.version)
        #expect(overdue.changes.isEmpty)
        #expect(overdue.detail?["due_date"]?.stringValue == dueText)
        #expect(events.first?.detail?["lead_seconds"] == .number("3600"))
        // The feed names it, with the system actor and the task as its object.
        let feed = FeedEvent.events(of: overdue, task: try await fixture.engine.task(task.id))
        #expect(feed.map(\.type) == [.taskOverdue])
        #expect(feed.first?.actorJSON["type"] == "system")
        #expect(feed.first?.json["object"]?["task_id"]?.stringValue == task.id.description)
        #expect(feed.first?.json["overdue"]?["due_date"]?.stringValue == dueText)
        // Nothing about the task changed but its overdue state.
        let after = try await fixture.engine.task(task.id)
        #expect(after.version == task.version)
        #expect(after.updatedAt == task.updatedAt)
        #expect(after.isOverdue)
        #expect(await fixture.engine.state.tasks.isOverdue(task.id))
        #expect(await fixture.engine.state.tasks.overdueCount == 1)
        #expect(
            try await fixture.engine.history(task.id).events.map(\.type) == [.taskCreated, .taskDueSoon, .taskOverdue])
    }

    @Test func theFeedPushesTheOverdueEvent() async throws {
        let fixture = try await Self.started()
        let stream = fixture.engine.subscribe()
        let task = try await fixture.create("Pushed") { $0.dueDate = Self.due(fixture, inHours: 3) }
        fixture.clock.advance(seconds: 3 * 3600)
        let received = try await Self.within("the pushed task_overdue") { () -> [Event] in
            var received: [Event] = []
            for await event in stream {
                received.append(event)
                if event.type == .taskOverdue { break }
            }
            return received
        }
        #expect(received.map(\.type) == [.taskCreated, .taskOverdue])
        #expect(received.last?.taskID == task.id)
    }

    @Test func movingTheDueDateRearmsAndClearsOverdue() async throws {
        let fixture = try await Self.started()
        let task = try await fixture.create("Moving") { $0.dueDate = Self.due(fixture, inHours: 2) }
        try await Self.advance(fixture, hours: 3)
        #expect(await fixture.engine.state.tasks.isOverdue(task.id))
        let later = Self.due(fixture, inHours: 5)
        try await fixture.update(task.id) { $0.dueDate = .some(later) }
        #expect(await !fixture.engine.state.tasks.isOverdue(task.id))
        var query = TaskQuery()
        query.overdue = true
        #expect(try await fixture.engine.list(query).tasks.isEmpty)
        // Writing the same due date back is no move: nothing fires again.
        try await fixture.update(task.id) { $0.dueDate = .some(later) }
        try await Self.advance(fixture, hours: 4.5)
        try await Self.advance(fixture, hours: 1)
        let fired = try await Self.fired(fixture.engine)
        #expect(fired.map(\.0) == [.taskOverdue, .taskDueSoon, .taskOverdue])
        #expect(fired.last?.2 == later.timestamp?.rfc3339)
        #expect(try await fixture.engine.list(query).tasks.map(\.id) == [task.id])
    }

    @Test func movingItLaterBeforeItFiresFiresOnlyForTheNewDate() async throws {
        let fixture = try await Self.started()
        let task = try await fixture.create("Postponed") { $0.dueDate = Self.due(fixture, inHours: 2) }
        let later = Self.due(fixture, inHours: 6)
        try await fixture.update(task.id) { $0.dueDate = .some(later) }
        try await Self.advance(fixture, hours: 3)
        #expect(try await Self.reminders(fixture.engine).isEmpty)
        try await Self.advance(fixture, hours: 4)
        let fired = try await Self.fired(fixture.engine)
        #expect(fired.map(\.0) == [.taskOverdue])
        #expect(fired.map(\.2) == [later.timestamp?.rfc3339 ?? ""])
    }

    @Test func completingCancellingOrDeletingDisarms() async throws {
        let fixture = try await Self.started()
        let done = try await fixture.create("Done") { $0.dueDate = Self.due(fixture, inHours: 2) }
        let cancelled = try await fixture.create("Cancelled") { $0.dueDate = Self.due(fixture, inHours: 2) }
        let deleted = try await fixture.create("Deleted") { $0.dueDate = Self.due(fixture, inHours: 2) }
        try await fixture.setStatus(done.id, .inProgress)
        _ = try await fixture.engine.complete(done.id, Completion(), by: .system)
        try await fixture.setStatus(cancelled.id, .cancelled)
        _ = try await fixture.engine.delete(deleted.id, by: .system)
        #expect(await fixture.engine.plannedReminderCount == 0)
        try await Self.advance(fixture, hours: 3)
        #expect(try await Self.reminders(fixture.engine).isEmpty)
        // Reopened after its due date passed, an open task is overdue at once.
        try await fixture.setStatus(cancelled.id, .pending)
        try await Self.settled(fixture.engine)
        #expect(try await Self.fired(fixture.engine).map(\.0) == [.taskOverdue])
        #expect(await fixture.engine.state.tasks.isOverdue(cancelled.id))
        // Closing an overdue task ends its overdue; reopening it does not fire again for the same date.
        try await fixture.setStatus(cancelled.id, .cancelled)
        #expect(await fixture.engine.state.tasks.overdueCount == 0)
        try await fixture.setStatus(cancelled.id, .pending)
        try await Self.settled(fixture.engine)
        #expect(try await Self.reminders(fixture.engine).count == 1)
        #expect(await fixture.engine.state.tasks.isOverdue(cancelled.id))
    }

    @Test func dueSoonComesFirstAndNeverAfterOverdue() async throws {
        let fixture = try await Self.started()
        let stepped = try await fixture.create("Stepped") { $0.dueDate = Self.due(fixture, inHours: 2) }
        let jumped = try await fixture.create("Jumped") { $0.dueDate = Self.due(fixture, inHours: 4) }
        try await Self.advance(fixture, hours: 1.5)
        try await Self.advance(fixture, hours: 1)
        // The server "sleeps" through both the reminder time and the due date of the second task.
        try await Self.advance(fixture, hours: 10)
        let fired = try await Self.fired(fixture.engine)
        #expect(fired.filter { $0.1 == stepped.id }.map(\.0) == [.taskDueSoon, .taskOverdue])
        #expect(fired.filter { $0.1 == jumped.id }.map(\.0) == [.taskOverdue])
    }

    @Test func aDueDateCloserThanTheLeadRemindsAtOnce() async throws {
        let fixture = try await Self.started()
        let task = try await fixture.create("Soon") { $0.dueDate = Self.due(fixture, inHours: 0.25) }
        try await Self.settled(fixture.engine)
        #expect(try await Self.fired(fixture.engine).map(\.0) == [.taskDueSoon])
        try await Self.advance(fixture, hours: 0.25)
        #expect(try await Self.fired(fixture.engine).map(\.0) == [.taskDueSoon, .taskOverdue])
        #expect(await fixture.engine.state.tasks.isOverdue(task.id))
    }

    @Test func noLeadMeansNoReminder() async throws {
        let store = MemoryStore()
        let clock = ManualTimeSource("2024-01-15T10:00:00Z")
        let engine = try Engine.open(store: store, clock: clock, reminderLeadSeconds: nil)
        await engine.startScheduler()
        var input = NewTask(title: "Quiet")
        input.dueDate = .text("2024-01-15T10:30:00Z")
        _ = try await engine.create(input, by: .system)
        clock.advance(seconds: 3600)
        try await OverdueTests.settled(engine)
        #expect(try await Self.reminders(engine).map(\.type) == [.taskOverdue])
    }

    @Test func aNewLeadReplansEveryTask() async throws {
        let fixture = try await Self.started()
        let near = try await fixture.create("Near") { $0.dueDate = Self.due(fixture, inHours: 2) }
        let far = try await fixture.create("Far") { $0.dueDate = Self.due(fixture, inHours: 10) }
        #expect(await fixture.engine.reminderTimerDeadline == near.dueDate?.adding(seconds: -3600))
        // A three-hour lead: the near task is already within it and is reminded at once.
        await fixture.engine.setDefaultReminderLead(seconds: 3 * 3600)
        try await Self.settled(fixture.engine)
        #expect(try await Self.fired(fixture.engine).map(\.1) == [near.id])
        #expect(await fixture.engine.reminderTimerDeadline == near.dueDate)
        // No lead: the far task gets no reminder, only its overdue.
        await fixture.engine.setDefaultReminderLead(seconds: nil)
        try await Self.advance(fixture, hours: 9.5)
        try await Self.advance(fixture, hours: 1)
        let fired = try await Self.fired(fixture.engine)
        #expect(fired.map(\.0) == [.taskDueSoon, .taskOverdue, .taskOverdue])
        #expect(fired.map(\.1) == [near.id, near.id, far.id])
    }

    @Test func aFailedCommitStopsTheSchedulerQuietly() async throws {
        let fixture = try await Self.started(on: .memory)
        _ = try await fixture.create("Doomed") { $0.dueDate = Self.due(fixture, inHours: 2) }
        try fixture.memory.failNextAppend(with: StoreError(code: .io, message: "disk full"))
        try await Self.advance(fixture, hours: 3)
        #expect(try await Self.reminders(fixture.engine).isEmpty)
        #expect(await fixture.engine.reminderTimerDeadline == nil)
        // Client writes go on being served by the engine (here the store works again).
        _ = try await fixture.create("Still served")
    }

    @Test func tenThousandDueDatesShareOneTimerAndFireInBoundedRecords() async throws {
        let fixture = try Fixture(on: .memory)
        let count = 10_000
        for index in 0..<count {
            var input = NewTask(title: "Task \(index)")
            input.dueDate = .text(fixture.clock.now().adding(seconds: Int64(7200 + index)).rfc3339)
            _ = try await fixture.engine.create(input, by: .system)
        }
        await fixture.engine.startScheduler()
        #expect(await fixture.engine.plannedReminderCount == count)
        await fixture.clock.waitForSleepers(atLeast: 1)
        #expect(fixture.clock.sleeperCount == 1)
        #expect(fixture.clock.sleeperDeadlines == [Timestamp(rfc3339: "2024-01-15T11:00:00Z")])
        // A write that plans an earlier time replaces the timer instead of adding one.
        let early = try await fixture.create("Early") { $0.dueDate = Self.due(fixture, inHours: 1.5) }
        await fixture.clock.waitForSleepers(atLeast: 1)
        #expect(fixture.clock.sleeperCount == 1)
        #expect(await fixture.engine.reminderTimerDeadline == early.dueDate?.adding(seconds: -3600))
        let recordsBefore = fixture.store.recordsSinceSnapshot
        // Every due date passes at once: one overdue each, in records of at most 1000 events.
        try await Self.advance(fixture, hours: 24)
        let records = try fixture.memory.records.dropFirst(recordsBefore)
        let fired = try records.map { try JournalRecord.events(in: $0).map(\.event.type) }
        #expect(fired.map(\.count).reduce(0, +) == count + 1)
        #expect(fired.allSatisfy { $0.count <= DueScheduler.batchSize && $0.allSatisfy { $0 == .taskOverdue } })
        #expect(fired.count == 11)
        #expect(await fixture.engine.state.tasks.overdueCount == count + 1)
        #expect(await fixture.engine.plannedReminderCount == 0)
        #expect(fixture.clock.sleeperCount == 0)
        var query = TaskQuery()
        query.overdue = true
        query.limit = 1
        #expect(try await fixture.engine.list(query).total == count + 1)
    }

    @Test func listOverdueAgreesWithTheEvents() async throws {
        let fixture = try await Self.started()
        var ids: [TaskID] = []
        for hours in [1.0, 2, 3, 30, 50] {
            ids.append(
                try await fixture.create("Due in \(hours)h") { $0.dueDate = Self.due(fixture, inHours: hours) }.id)
        }
        _ = try await fixture.create("No due date")
        try await fixture.setStatus(ids[1], .inProgress)
        try await Self.advance(fixture, hours: 4)
        try await fixture.setStatus(ids[2], .cancelled)
        try await fixture.update(ids[0]) { $0.dueDate = .some(Self.due(fixture, inHours: 1)) }
        // Overdue per the events: the last task_overdue of each task names its current due date and it is open.
        var expected: [TaskID] = []
        for id in ids {
            let task = try await fixture.engine.task(id)
            let last = try await Self.fired(fixture.engine).last { $0.0 == .taskOverdue && $0.1 == id }
            if task.status.isOpen, let last, last.2 == task.dueDate?.rfc3339 { expected.append(id) }
        }
        #expect(expected == [ids[1]])
        var query = TaskQuery()
        query.overdue = true
        #expect(try await fixture.engine.list(query).tasks.map(\.id) == expected)
        query.statuses = ["in_progress"]
        #expect(try await fixture.engine.list(query).tasks.map(\.id) == expected)
        #expect(await fixture.engine.state.tasks.overdueCount == expected.count)
    }

    @Test func exportAndImportKeepWhatFired() async throws {
        let fixture = try await Self.started()
        let task = try await fixture.create("Exported") { $0.dueDate = Self.due(fixture, inHours: 2) }
        try await Self.advance(fixture, hours: 3)
        let document = await fixture.engine.exportDocument()
        let tasks = try #require(document["tasks"]?.arrayValue)
        #expect(tasks.first?["overdue_for"]?.stringValue == task.dueDate?.rfc3339)
        #expect(tasks.first?["due_soon_for"] == nil)
        let store = MemoryStore()
        let imported = try Engine.importDocument(document, into: store, clock: fixture.clock)
        #expect(await imported.state.tasks.isOverdue(task.id))
        let seq = await imported.lastSeq
        await imported.startScheduler()
        #expect(await imported.lastSeq == seq)
    }
}

/// Overdue across restarts: the marks survive the journal, snapshots and old data directories.
@Suite(.closesTestStores)
struct OverduePersistenceTests {
    static func open(
        _ path: String, clock: ManualTimeSource, snapshotThreshold: Int = 100_000
    ) throws -> (
        FileStore, Engine
    ) {
        let store = try FileStore.open(directory: path)
        return (store, try Engine.open(store: store, clock: clock, snapshotThreshold: snapshotThreshold))
    }

    /// A fresh engine over the directory with its scheduler started (at-start firing done).
    static func start(
        _ path: String, clock: ManualTimeSource, snapshotThreshold: Int = 100_000
    ) async throws
        -> (FileStore, Engine)
    {
        let (store, engine) = try open(path, clock: clock, snapshotThreshold: snapshotThreshold)
        await engine.startScheduler()
        return (store, engine)
    }

    /// Shuts an engine down as the server does: the scheduler first, then the store.
    static func stop(_ store: FileStore, _ engine: Engine) async {
        await engine.stopScheduler()
        store.close()
    }

    @Test(arguments: [100_000, 1])
    func overdueFiresAtStartWhenTheServerWasDownAndNeverAgain(snapshotThreshold: Int) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("data")
        let clock = ManualTimeSource("2024-01-15T10:00:00Z")
        var taskID: TaskID?
        do {
            let (store, engine) = try await Self.start(path, clock: clock, snapshotThreshold: snapshotThreshold)
            var input = NewTask(title: "Due while down")
            input.dueDate = .text("2024-01-15T13:00:00Z")
            taskID = try await engine.create(input, by: .system).value.task.id
            #expect(try await OverdueTests.reminders(engine).isEmpty)
            await Self.stop(store, engine)
        }
        let id = try #require(taskID)
        // The due date passes while no server runs.
        clock.set(try #require(Timestamp(rfc3339: "2024-01-16T09:00:00Z")))
        do {
            let (store, engine) = try await Self.start(path, clock: clock, snapshotThreshold: snapshotThreshold)
            let fired = try await OverdueTests.fired(engine)
            #expect(fired.map(\.0) == [.taskOverdue])
            #expect(fired.map(\.2) == ["2024-01-15T13:00:00Z"])
            #expect(await engine.state.tasks.isOverdue(id))
            await Self.stop(store, engine)
        }
        clock.advance(seconds: 86_400)
        do {
            let (store, engine) = try await Self.start(path, clock: clock, snapshotThreshold: snapshotThreshold)
            #expect(try await OverdueTests.reminders(engine).count == 1)
            #expect(await engine.state.tasks.isOverdue(id))
            var query = TaskQuery()
            query.overdue = true
            #expect(try await engine.list(query).tasks.map(\.id) == [id])
            await Self.stop(store, engine)
        }
    }

    @Test func aSnapshotKeepsTheMarksOfBothReminders() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("data")
        let clock = ManualTimeSource("2024-01-15T10:00:00Z")
        do {
            let (store, engine) = try await Self.start(path, clock: clock)
            var input = NewTask(title: "Reminded")
            input.dueDate = .text("2024-01-15T10:30:00Z")
            _ = try await engine.create(input, by: .system)
            try await OverdueTests.settled(engine)
            #expect(try await OverdueTests.fired(engine).map(\.0) == [.taskDueSoon])
            let bytes = await engine.state.snapshotBytes()
            #expect(String(decoding: bytes, as: UTF8.self).contains(#""due_soon_for":"2024-01-15T10:30:00Z""#))
            await Self.stop(store, engine)
        }
        do {
            let (store, engine) = try Self.open(path, clock: clock)
            let bytes = await engine.state.snapshotBytes()
            #expect(store.snapshot { bytes })
            store.close()
        }
        do {
            let (store, engine) = try await Self.start(path, clock: clock)
            #expect(try await OverdueTests.reminders(engine).count == 1)
            clock.advance(seconds: 3600)
            try await OverdueTests.settled(engine)
            #expect(try await OverdueTests.fired(engine).map(\.0) == [.taskDueSoon, .taskOverdue])
            await Self.stop(store, engine)
        }
    }

    @Test func aRelease010TaskWhoseDueDatePassedFiresOnceAtStart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try CompatibilityTests.copyOfFixture(into: directory)
        // The fixture's tasks with a due date (2031-01-20T17:00:00Z) are completed; one is reopened before
        // that date, by a write no different from what release 0.1.0 wrote, with no scheduler running.
        let clock = ManualTimeSource("2026-12-10T00:00:00Z")
        var reopened: TaskID?
        do {
            let (store, engine) = try Self.open(path, clock: clock)
            var query = TaskQuery()
            query.limit = 200
            let dated = try await engine.list(query).tasks.filter { $0.dueDate != nil }
            #expect(dated.count == 2)
            #expect(dated.allSatisfy { $0.status == .completed })
            let id = try #require(dated.first?.id)
            var patch = TaskPatch()
            patch.status = "pending"
            _ = try await engine.update(id, patch, by: .system)
            reopened = id
            store.close()
        }
        let id = try #require(reopened)
        // Past the due date: only the open task fires, once, at start.
        clock.set(try #require(Timestamp(rfc3339: "2031-02-01T00:00:00Z")))
        do {
            let (store, engine) = try await Self.start(path, clock: clock)
            let fired = try await OverdueTests.fired(engine)
            #expect(fired.map(\.0) == [.taskOverdue])
            #expect(fired.map(\.1) == [id])
            #expect(fired.map(\.2) == ["2031-01-20T17:00:00Z"])
            var query = TaskQuery()
            query.overdue = true
            #expect(try await engine.list(query).tasks.map(\.id) == [id])
            await Self.stop(store, engine)
        }
        do {
            let (store, engine) = try await Self.start(path, clock: clock)
            #expect(try await OverdueTests.reminders(engine).count == 1)
            #expect(await engine.state.tasks.isOverdue(id))
            #expect(await engine.state.tasks.overdueCount == 1)
            await Self.stop(store, engine)
        }
    }
}
