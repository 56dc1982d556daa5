import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

@Suite(.closesTestStores)
struct ReplayTests {
    @Test func replayingTheJournalRebuildsTheSameState() async throws {
        let fixture = try Fixture()
        _ = try await ListTests.populate(fixture, count: 200, seed: 4)
        _ = try await fixture.create("With key") { $0.idempotencyKey = "abc" }
        let original = await fixture.engine.exportDocument()
        let replayed = try fixture.reopen()
        #expect(await replayed.exportDocument() == original)
        #expect(await replayed.lastSeq == (await fixture.engine.lastSeq))
    }

    @Test func snapshotPlusRecordsRebuildsTheSameState() async throws {
        // A low threshold makes the engine take snapshots while the data set is built.
        let fixture = try Fixture(snapshotThreshold: 50)
        let ids = try await ListTests.populate(fixture, count: 200, seed: 5)
        #expect(try await TestStore.tookSnapshot(fixture.store, threshold: 50))
        let original = await fixture.engine.exportDocument()
        let replayed = try fixture.reopen()
        #expect(await replayed.exportDocument() == original)
        // History written before the snapshot is still there.
        let history = try await replayed.history(ids[0])
        #expect(history.events.first?.type == .taskCreated)
        #expect(history.events.map(\.seq) == (try await fixture.engine.history(ids[0])).events.map(\.seq))
        // New writes continue the sequence and ids.
        let next = try await replayed.create(NewTask(title: "After"), by: .system).value.task
        #expect(next.id > ids.max() ?? TaskID(raw: 0))
        #expect(await replayed.lastSeq == (await fixture.engine.lastSeq) + 1)
    }

    @Test func exportImportRoundTripsIntoAnEmptyStore() async throws {
        let fixture = try Fixture()
        let ids = try await ListTests.populate(fixture, count: 120, seed: 6)
        _ = try await fixture.create("Keyed") { $0.idempotencyKey = "key-1" }
        let document = await fixture.engine.exportDocument()
        let text = JSONWriter.string(document)
        let parsed = try JSONParser.parse(text)

        let store = MemoryStore()
        let imported = try Engine.importDocument(parsed, into: store, clock: fixture.clock)
        #expect(await imported.exportDocument() == document)
        // The import is durable in the store: a recovery from it sees the same.
        let recovered = try Engine.open(store: store, clock: fixture.clock)
        #expect(await recovered.exportDocument() == document)
        #expect(try await recovered.history(ids[3]).events == (try await fixture.engine.history(ids[3])).events)
        var retry = NewTask(title: "Keyed")
        retry.idempotencyKey = "key-1"
        #expect(try await recovered.create(retry, by: Caller(user: "user123")).value.replayed)

        let error = await engineError { _ = try Engine.importDocument(parsed, into: store, clock: fixture.clock) }
        #expect(error?.name == "unavailable")
    }

    @Test func importRefusesADocumentWhoseTasksDisagreeWithItsEvents() async throws {
        let fixture = try Fixture()
        _ = try await fixture.create("Original")
        guard case .object(var document) = await fixture.engine.exportDocument(),
            case .array(var tasks)? = document["tasks"], case .object(var task)? = tasks.first
        else {
            Issue.record("unexpected export shape")
            return
        }
        task["title"] = "Tampered"
        tasks[0] = .object(task)
        document["tasks"] = .array(tasks)
        let error = await engineError { _ = try Engine.importDocument(.object(document), into: MemoryStore()) }
        guard case .damaged? = error else {
            Issue.record("expected damaged, got \(String(describing: error))")
            return
        }
    }

    @Test func aDamagedRecordStopsRecovery() throws {
        let store = MemoryStore()
        _ = try store.append(Array("{\"v\":1,\"seq\":1}".utf8))
        #expect(throws: EngineError.self) { _ = try Engine.open(store: store) }
        let gap = MemoryStore()
        let event = Event(
            seq: 2, type: .taskCreated, at: Timestamp(microseconds: 0), actor: "a", subject: .task(TaskID(raw: 1)),
            version: 1, changes: ["title": ["old": nil, "new": "x"]])
        _ = try gap.append(event.bytes)
        #expect(throws: EngineError.self) { _ = try Engine.open(store: gap) }
    }
}
