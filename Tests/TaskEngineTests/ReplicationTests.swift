import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// A node that does not write keeps an engine current from records another engine committed.
@Suite(.closesTestStores)
struct ReplicationTests {
    /// The `seq` of the first `count` events a subscriber receives.
    static func seqs(of stream: AsyncStream<Event>, count: Int) async -> [UInt64] {
        var received: [UInt64] = []
        for await event in stream {
            received.append(event.seq)
            if received.count == count { break }
        }
        return received
    }

    @Test func appliedRecordsRebuildTheWritersStateAndReachSubscribers() async throws {
        let writer = try Fixture(on: .memory)
        let followerStore = MemoryStore()
        let follower = try Engine.open(store: followerStore, clock: writer.clock)
        let stream = follower.subscribe()

        _ = try await writer.engine.upsertUser(UserInput(userID: "ann", name: "Ann", role: "member"), by: .system)
        let ids = try await ListTests.populate(writer, count: 40, seed: 9)
        _ = try await writer.engine.addComment(NewComment(taskID: ids[0], text: "Looks good"), by: .system)
        try await writer.update(ids[1]) { $0.assignee = .some("ann") }

        // Applied in two parts, the second overlapping the first, as a tail that re-reads its last rows does.
        let records = try writer.memory.records
        try await follower.applyReplicated(Array(records.prefix(20)))
        try await follower.applyReplicated(Array(records.dropFirst(10)))

        #expect(await follower.exportDocument() == (await writer.engine.exportDocument()))
        #expect(await follower.lastSeq == (await writer.engine.lastSeq))
        // The user change reached the profiles that expand assignees, without a restart.
        #expect(follower.directory.profile(of: "ann")?.name == "Ann")
        // Subscribers see every event once, in order; nothing was appended to the follower's own store.
        #expect(
            await Self.seqs(of: stream, count: Int(await writer.engine.lastSeq))
                == Array(1...(await writer.engine.lastSeq)))
        #expect(followerStore.records.isEmpty)
        let written = try await writer.engine.events(after: 0, limit: .max)
        #expect(try await follower.events(after: 0, limit: .max) == written)
    }

    @Test func aSnapshotPastTheAppliedRecordsCatchesUpWithEveryEventOnce() async throws {
        let writer = try Fixture(on: .memory)
        let follower = try Engine.open(store: MemoryStore(), clock: writer.clock)
        let stream = follower.subscribe()
        for title in ["One", "Two", "Three"] { try await writer.create(title) }
        try await follower.applyReplicated(try writer.memory.records)
        // What the follower misses: the writer replaced these records with a snapshot.
        _ = try await writer.engine.upsertUser(UserInput(userID: "ann", name: "Ann", role: "member"), by: .system)
        let ids = try await ListTests.populate(writer, count: 20, seed: 4)
        try await writer.update(ids[0]) { $0.assignee = .some("ann") }
        let snapshot = await writer.engine.state.snapshotBytes()
        let covered = writer.store.recordsSinceSnapshot
        // And what follows the snapshot.
        _ = try await writer.engine.addComment(NewComment(taskID: ids[1], text: "After the snapshot"), by: .system)
        try await writer.create("Last")

        try await follower.applyReplicated(
            snapshot: snapshot, records: Array(try writer.memory.records.dropFirst(covered)))
        #expect(await follower.exportDocument() == (await writer.engine.exportDocument()))
        #expect(follower.directory.profile(of: "ann")?.name == "Ann")
        #expect(
            await Self.seqs(of: stream, count: Int(await writer.engine.lastSeq))
                == Array(1...(await writer.engine.lastSeq)))

        // A snapshot older than what the follower applied is refused, and changes nothing.
        let older = try Fixture()
        try await older.create("Alone")
        let error = await engineError {
            try await follower.applyReplicated(snapshot: await older.engine.state.snapshotBytes(), records: [])
        }
        guard case .damaged(let detail)? = error else {
            Issue.record("expected damage, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("before event"))
        #expect(await follower.exportDocument() == (await writer.engine.exportDocument()))
    }

    @Test func aGapInTheRecordsIsRefusedAsDamage() async throws {
        let writer = try Fixture(on: .memory)
        for title in ["One", "Two", "Three"] { try await writer.create(title) }
        let follower = try Engine.open(store: MemoryStore(), clock: writer.clock)
        let records = try writer.memory.records
        let error = await engineError { try await follower.applyReplicated([records[0], records[2]]) }
        guard case .damaged(let detail)? = error else {
            Issue.record("expected damage, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("follows event 1"))
        #expect(await follower.lastSeq == 1)
    }
}
