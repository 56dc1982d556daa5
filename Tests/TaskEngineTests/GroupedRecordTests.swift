import JSON
import StoreTestSupport
import TaskStore
import TestSupport
import Testing

@testable import TaskEngine

/// Several events committed as one journal record: all or nothing, replayed and snapshotted like any other.
@Suite(.closesTestStores)
struct GroupedRecordTests {
    /// `task_created` events for new tasks, numbered from the engine's next `seq`.
    static func creations(
        _ titles: [String], on engine: Engine, at time: String = "2024-01-15T10:00:00Z"
    ) async
        -> [Event]
    {
        let first = await engine.lastSeq + 1
        var ids = await engine.state.tasks.ids
        let at = Timestamp(rfc3339: time) ?? .minimum
        return titles.enumerated().map { offset, title in
            let task = TaskItem(rawID: ids.next(at: at), title: title, createdAt: at, createdBy: UserID("user123"))
            return Event(
                seq: first + UInt64(offset), type: .taskCreated, at: at, actor: UserID("user123"),
                subject: .task(task.id), version: 1, changes: TaskField.creation(of: task))
        }
    }

    @Test func aGroupWhoseThirdEventDoesNotFitChangesNothing() async throws {
        let fixture = try Fixture()
        try await fixture.create("Before")
        let before = await fixture.engine.exportDocument()
        var events = await Self.creations(["One", "Two", "Three"], on: fixture.engine)
        // The third event changes a task that does not exist.
        events[2] = Event(
            seq: events[2].seq, type: .taskUpdated, at: events[2].at, actor: events[2].actor,
            subject: .task(TaskID(raw: 12345)), version: 2, changes: [:])
        let group = events
        let error = await engineError { _ = try await fixture.engine.commitGroup(group) }
        #expect(error?.name == "unavailable")
        #expect(await fixture.engine.exportDocument() == before)
        #expect(fixture.store.recordsSinceSnapshot == 1)
        #expect(await fixture.engine.lastSeq == 1)
    }

    @Test func aRefusedAppendOfAGroupChangesNothing() async throws {
        let fixture = try Fixture(on: .memory)
        let before = await fixture.engine.exportDocument()
        let events = await Self.creations(["One", "Two"], on: fixture.engine)
        try fixture.memory.failNextAppend(with: StoreError(code: .io, message: "disk full"))
        let error = await engineError { _ = try await fixture.engine.commitGroup(events) }
        #expect(error?.name == "unavailable")
        #expect(await fixture.engine.exportDocument() == before)
    }

    @Test func aGroupIsOneRecordAndReplaysIdentically() async throws {
        let fixture = try Fixture(on: .memory)
        try await fixture.create("Before")
        let events = await Self.creations(["One", "Two", "Three"], on: fixture.engine)
        _ = try await fixture.engine.commitGroup(events)
        #expect(fixture.store.recordsSinceSnapshot == 2)
        #expect(try fixture.memory.records[1].first == UInt8(ascii: "["))
        #expect(await fixture.engine.lastSeq == 4)
        let original = await fixture.engine.exportDocument()
        let replayed = try fixture.reopen()
        #expect(await replayed.exportDocument() == original)
        // Every event keeps its own seq in the log and in its task's history.
        for event in events {
            let history = try await replayed.history(try #require(event.taskID))
            #expect(history.events.map(\.seq) == [event.seq])
            #expect(history.events.first?.type == .taskCreated)
        }
        #expect(try await replayed.events(after: 1, limit: 10).map(\.seq) == [2, 3, 4])
        // Through a snapshot too.
        let state = await replayed.state
        let reloaded = try EngineState(snapshot: state.snapshotBytes())
        #expect(reloaded.exportDocument() == original)
        #expect(try EngineState(document: original).exportDocument() == original)
    }

    @Test func aTornGroupAtTheTailIsDroppedWhole() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let segment = "journal-0000000000000001.log"
        do {
            let store = try FileStore.open(directory: directory.path)
            let engine = try Engine.open(store: store, clock: ManualTimeSource("2024-01-15T10:00:00Z"))
            _ = try await engine.create(NewTask(title: "Before"), by: Caller(user: "user123"))
            let events = await Self.creations(["One", "Two", "Three"], on: engine)
            _ = try await engine.commitGroup(events)
            store.close()
        }
        let bytes = try directory.read(segment)
        // Cut inside the group record, the last one before the preallocated zeros: only the first survives.
        let end = (bytes.lastIndex { $0 != 0 } ?? bytes.endIndex) + 1
        try directory.write(segment, Array(bytes[..<(end - 10)]))
        let store = try FileStore.open(directory: directory.path)
        defer { store.close() }
        let engine = try Engine.open(store: store)
        #expect(await engine.lastSeq == 1)
        #expect(await engine.taskCount == 1)
        #expect(engine.recoveryWarnings.count == 1)
    }

    @Test func recordsOfOneEventAreWrittenAsBefore() throws {
        let one: [UInt8] = Array(#"{"v":1,"seq":1}"#.utf8)
        #expect(JournalRecord.bytes(of: [one]) == one)
        #expect(JournalRecord.bytes(of: [one, one]) == Array(#"[{"v":1,"seq":1},{"v":1,"seq":1}]"#.utf8))
        #expect(throws: EngineError.self) { try JournalRecord.events(in: Array("[]".utf8)) }
    }
}
