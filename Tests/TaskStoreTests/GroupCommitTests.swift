import TestSupport
import Testing

@testable import TaskStore

struct GroupCommitTests {
    static let segment = "journal-0000000000000001.log"

    @Test func recordsQueuedDuringASyncShareTheNextOne() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FaultyFileSystem()
        let store = try FileStore.open(directory: directory.path, options: testOptions(fileSystem))
        defer { store.close() }
        fileSystem.holdNextSync()
        let first = try store.append(record(0))
        try await withTimeout { await fileSystem.wait { $0.syncHeld } }

        let tickets = try (1...99).map { try store.append(record($0)) }
        fileSystem.releaseSync()
        try await withTimeout {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for ticket in tickets + [first] { group.addTask { try await ticket.wait() } }
                try await group.waitForAll()
            }
        }
        // One write and one sync for the first record, one of each for the 99 queued behind it.
        #expect(fileSystem.counters.journalSyncs == 2)
        #expect(fileSystem.counters.journalWrites == 2)
    }

    @Test func manyConcurrentAppendersAllCompleteWithFewerSyncsThanRecords() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FaultyFileSystem()
        let store = try FileStore.open(directory: directory.path, options: testOptions(fileSystem))
        let appenders = 64
        let rounds = 20
        // Hold the first sync until every appender has queued its first record, so they share a sync.
        fileSystem.holdNextSync()
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        try await withTimeout {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for appender in 0..<appenders {
                    group.addTask {
                        for round in 0..<rounds {
                            let ticket = try store.append(record(appender * 1000 + round))
                            if round == 0 { startedContinuation.yield() }
                            try await ticket.wait()
                        }
                    }
                }
                var count = 0
                for await _ in started {
                    count += 1
                    if count == appenders { break }
                }
                await fileSystem.wait { $0.syncHeld }
                fileSystem.releaseSync()
                try await group.waitForAll()
            }
        }
        store.close()
        let total = appenders * rounds
        #expect(fileSystem.counters.journalSyncs < total)
        let (reopened, recovered) = try openAndRecover(directory)
        reopened.close()
        #expect(recovered.records.count == total)
        // Each appender's records are in its own order.
        for appender in 0..<appenders {
            let mine = recovered.records.filter { bytes in
                (0..<rounds).contains { bytes == record(appender * 1000 + $0) }
            }
            #expect(mine == (0..<rounds).map { record(appender * 1000 + $0) })
        }
    }

    @Test func alwaysCompletesATicketOnlyAfterASyncCoveringItsRecord() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FaultyFileSystem()
        let store = try FileStore.open(directory: directory.path, options: testOptions(fileSystem, durability: .always))
        defer { store.close() }
        let path = directory.appending(Self.segment)
        var ends: [Int64] = []
        var tickets: [CommitTicket] = []
        var end: Int64 = 0
        for number in 1...300 {
            tickets.append(try store.append(record(number)))
            end += Int64(JournalFrame.headerSize + record(number).count)
            ends.append(end)
        }
        for (ticket, end) in zip(tickets, ends) {
            try await withTimeout { try await ticket.wait() }
            #expect(fileSystem.counters.syncedEnd[path, default: 0] >= end)
        }
    }

    @Test func noneAcknowledgesWritesWithoutSyncingUntilClose() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FaultyFileSystem()
        let store = try FileStore.open(directory: directory.path, options: testOptions(fileSystem, durability: .none))
        for number in 1...50 {
            let ticket = try store.append(record(number))
            try await withTimeout { try await ticket.wait() }
        }
        #expect(fileSystem.counters.journalSyncs == 0)
        #expect(fileSystem.counters.journalWrites > 0)
        store.close()
        #expect(fileSystem.counters.journalSyncs == 1)
        let path = directory.appending(Self.segment)
        #expect(fileSystem.counters.syncedEnd[path] == fileSystem.counters.writtenEnd[path])
    }

    @Test func batchedAcknowledgesWritesAndSyncsWithinTheInterval() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FaultyFileSystem()
        var options = testOptions(fileSystem, durability: .batched)
        options.batchInterval = .milliseconds(20)
        let store = try FileStore.open(directory: directory.path, options: options)
        defer { store.close() }
        let path = directory.appending(Self.segment)
        var end: Int64 = 0
        for number in 1...20 {
            let ticket = try store.append(record(number))
            end += Int64(JournalFrame.headerSize + record(number).count)
            try await withTimeout { try await ticket.wait() }
            // Acknowledged means written; the sync follows on the writer's timer, without further appends.
            #expect(fileSystem.counters.writtenEnd[path, default: 0] >= end)
        }
        let target = end
        try await withTimeout { await fileSystem.wait { $0.syncedEnd[path, default: 0] >= target } }
    }

    @Test func flushSyncsEvenWithoutDurability() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FaultyFileSystem()
        let store = try FileStore.open(directory: directory.path, options: testOptions(fileSystem, durability: .none))
        defer { store.close() }
        _ = try store.append(record(1))
        try await withTimeout { try await store.flush() }
        let path = directory.appending(Self.segment)
        #expect(fileSystem.counters.syncedEnd[path] == Int64(JournalFrame.headerSize + record(1).count))
    }
}
