import Dispatch
import Glibc
import TestSupport
import Testing

@testable import TaskStore

struct FileStoreRoundTripTests {
    @Test(arguments: [FileStore.Durability.always, .batched, .none])
    func recordsSurviveReopeningInOrder(durability: FileStore.Durability) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, first) = try openAndRecover(directory, testOptions(durability: durability))
        #expect(first.snapshot == nil && first.records.isEmpty && first.warnings.isEmpty)
        // Enough bytes to need several reserve extensions of the 4 KiB test chunk.
        var tickets: [CommitTicket] = []
        for number in 1...500 { tickets.append(try store.append(record(number))) }
        for ticket in tickets { try await withTimeout { try await ticket.wait() } }
        store.close()

        let (reopened, recovered) = try openAndRecover(directory)
        defer { reopened.close() }
        #expect(recovered.records == (1...500).map(record))
        #expect(recovered.warnings.isEmpty)
        #expect(reopened.recordsSinceSnapshot == 500)
    }

    @Test func appendsContinueAfterReopening() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for session in 0..<3 {
            let (store, recovered) = try openAndRecover(directory)
            #expect(recovered.records == (0..<(session * 10)).map(record))
            for number in (session * 10)..<(session * 10 + 10) {
                let ticket = try store.append(record(number))
                try await withTimeout { try await ticket.wait() }
            }
            store.close()
        }
        #expect(try directory.names() == ["LOCK", "journal-0000000000000001.log", "journal.manifest"])
    }

    @Test func snapshotThenJournalRoundTrip() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, _) = try openAndRecover(directory)
        for number in 1...10 { _ = try store.append(record(number)) }
        store.snapshot { Array("state after 10".utf8) }
        #expect(store.recordsSinceSnapshot == 0)
        var last: CommitTicket?
        for number in 11...15 { last = try store.append(record(number)) }
        let ticket = last
        try await withTimeout { try await ticket?.wait() }
        store.close()

        #expect(
            try directory.names() == [
                "LOCK", "journal-0000000000000001.log", "journal-000000000000000b.log", "journal.manifest",
                "snapshot-000000000000000a.snap",
            ])
        let (reopened, recovered) = try openAndRecover(directory)
        defer { reopened.close() }
        #expect(recovered.snapshot == Array("state after 10".utf8))
        #expect(recovered.records == (11...15).map(record))
    }

    @Test func snapshotsKeepOneFallbackAndCompactTheJournal() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var next = 1
        for state in ["A", "B", "C"] {
            let (store, _) = try openAndRecover(directory)
            for _ in 0..<5 {
                _ = try store.append(record(next))
                next += 1
            }
            store.snapshot { Array(state.utf8) }
            store.close()
        }
        // C (15) and its fallback B (10) remain; A and the segments before B's boundary are gone.
        #expect(
            try directory.names() == [
                "LOCK", "journal-000000000000000b.log", "journal-0000000000000010.log", "journal.manifest",
                "snapshot-000000000000000a.snap", "snapshot-000000000000000f.snap",
            ])
        let (store, recovered) = try openAndRecover(directory)
        store.close()
        #expect(recovered.snapshot == Array("C".utf8))
        #expect(recovered.records.isEmpty)
    }

    @Test func damagedNewestSnapshotFallsBackToThePreviousAndReplaysToThePresent() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var next = 1
        for state in ["A", "B"] {
            let (store, _) = try openAndRecover(directory)
            for _ in 0..<5 {
                _ = try store.append(record(next))
                next += 1
            }
            store.snapshot { Array(state.utf8) }
            store.close()
        }
        let (store, _) = try openAndRecover(directory)
        for number in 11...13 { _ = try store.append(record(number)) }
        store.close()

        var snapshot = try directory.read("snapshot-000000000000000a.snap")
        snapshot[snapshot.count - 1] ^= 0x01
        try directory.write("snapshot-000000000000000a.snap", snapshot)

        let (reopened, recovered) = try openAndRecover(directory)
        #expect(recovered.snapshot == Array("A".utf8))
        #expect(recovered.records == (6...13).map(record))
        #expect(recovered.warnings.contains { $0.contains("snapshot-000000000000000a.snap") })
        // The store keeps working and numbering continues after the newest record.
        let ticket = try reopened.append(record(14))
        try await withTimeout { try await ticket.wait() }
        reopened.close()
        let (again, replayed) = try openAndRecover(directory)
        again.close()
        #expect(replayed.records == (6...14).map(record))
    }

    @Test func secondOpenOfTheSameDirectoryIsLockedUntilClose() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try FileStore.open(directory: directory.path, options: testOptions())
        let error = #expect(throws: StoreError.self) {
            try FileStore.open(directory: directory.path, options: testOptions())
        }
        #expect(error?.code == .locked)
        #expect(error?.message.contains(directory.path) == true)
        #expect(error?.code.exitCode == 75)
        store.close()
        let again = try FileStore.open(directory: directory.path, options: testOptions())
        again.close()
    }

    @Test func createsAMissingDirectoryPrivately() throws {
        let parent = try TemporaryDirectory()
        defer { parent.remove() }
        let path = parent.appending("a/b/data")
        let store = try FileStore.open(directory: path, options: testOptions())
        store.close()
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
    }

    @Test func appendsAfterCloseAreRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try FileStore.open(directory: directory.path, options: testOptions())
        store.close()
        let error = #expect(throws: StoreError.self) { try store.append(record(1)) }
        #expect(error?.code == .closed)
    }
}

struct SnapshotPolicyTests {
    @Test func snapshotDueFollowsTheRecordAndByteThresholds() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var options = testOptions()
        options.snapshotRecordThreshold = 10
        options.snapshotByteThreshold = 1 << 30
        let store = try FileStore.open(directory: directory.path, options: options)
        defer { store.close() }
        for number in 1...9 { _ = try store.append(record(number)) }
        #expect(!store.snapshotDue)
        _ = try store.append(record(10))
        #expect(store.snapshotDue)
        store.snapshot { [] }
        #expect(!store.snapshotDue)
        #expect(store.bytesSinceSnapshot == 0)
        _ = try store.append([UInt8](repeating: 1, count: 88))
        #expect(store.bytesSinceSnapshot == 100)
    }

    @Test func appendsContinueWhileASnapshotIsWrittenAndOnlyOneRunsAtATime() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try FileStore.open(directory: directory.path, options: testOptions())
        for number in 1...5 { _ = try store.append(record(number)) }
        let encoding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        store.snapshot {
            encoding.signal()
            release.wait()
            return Array("first".utf8)
        }
        #expect(store.snapshotInProgress)
        // The encoder is blocked on its own thread; appends and their syncs go on.
        try await withTimeout {
            await withCheckedContinuation { continuation in
                DispatchQueue(label: "wait-for-encoder").async {
                    encoding.wait()
                    continuation.resume()
                }
            }
        }
        for number in 6...10 {
            let ticket = try store.append(record(number))
            try await withTimeout { try await ticket.wait() }
        }
        store.snapshot { Array("ignored".utf8) }
        #expect(store.recordsSinceSnapshot == 5)
        release.signal()
        store.close()

        #expect(try directory.names().filter { $0.hasPrefix("snapshot-") } == ["snapshot-0000000000000005.snap"])
        let (reopened, recovered) = try openAndRecover(directory)
        reopened.close()
        #expect(recovered.snapshot == Array("first".utf8))
        #expect(recovered.records == (6...10).map(record))
    }
}
