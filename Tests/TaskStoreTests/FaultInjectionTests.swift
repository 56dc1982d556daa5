import Locking
import TestSupport
import Testing

@testable import TaskStore

struct FaultInjectionTests {
    /// Appends in small bursts until the store fails; returns the records whose tickets succeeded.
    private func appendUntilFailure(_ store: FileStore) async throws -> [[UInt8]] {
        var acknowledged: [[UInt8]] = []
        var number = 0
        for _ in 0..<20 {
            var burst: [(record: [UInt8], ticket: CommitTicket)] = []
            for _ in 0..<3 {
                number += 1
                do {
                    burst.append((record(number), try store.append(record(number))))
                } catch {
                    #expect(error.code == .failed)
                }
            }
            for (payload, ticket) in burst {
                do {
                    try await withTimeout { try await ticket.wait() }
                    acknowledged.append(payload)
                } catch let error as StoreError {
                    #expect(error.code == .failed)
                }
            }
            if store.failure != nil { break }
        }
        return acknowledged
    }

    private func checkRecovery(of directory: TemporaryDirectory, acknowledged: [[UInt8]]) throws {
        let (store, recovered) = try openAndRecover(directory)
        defer { store.close() }
        // Every acknowledged record is there, in order; records written but never acknowledged may be too.
        #expect(recovered.records.count >= acknowledged.count)
        #expect(recovered.records == (0..<recovered.records.count).map { record($0 + 1) })
        #expect(Array(recovered.records.prefix(acknowledged.count)) == acknowledged)
    }

    @Test(arguments: [1, 2, 3, 5])
    func failedWriteStopsTheStoreAndLosesNothingAcknowledged(k: Int) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FaultyFileSystem()
        let reported = Mutex<StoreError?>(nil)
        var options = testOptions(fileSystem)
        options.onFailure = { error in reported.withLock { $0 = error } }
        let store = try FileStore.open(directory: directory.path, options: options)
        fileSystem.failJournalWrite(number: k)

        let acknowledged = try await appendUntilFailure(store)
        #expect(store.failure?.code == .failed)
        #expect(store.failure?.cause?.contains("pwrite") == true)
        #expect(reported.withLock { $0?.code } == .failed)
        let later = #expect(throws: StoreError.self) { try store.append(record(1000)) }
        #expect(later?.code == .failed)
        #expect(fileSystem.counters.journalWrites == k - 1)
        store.close()
        try checkRecovery(of: directory, acknowledged: acknowledged)
    }

    @Test(arguments: [1, 2, 3, 5])
    func failedSyncStopsTheStoreWithoutRetrying(k: Int) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FaultyFileSystem()
        let store = try FileStore.open(directory: directory.path, options: testOptions(fileSystem))
        fileSystem.failJournalSync(number: k)

        let acknowledged = try await appendUntilFailure(store)
        #expect(store.failure?.cause?.contains("fdatasync") == true)
        let syncs = fileSystem.counters.journalSyncs
        #expect(syncs == k - 1)
        let later = #expect(throws: StoreError.self) { try store.append(record(1000)) }
        #expect(later?.code == .failed)
        store.close()
        // Closing a failed store does not retry the sync either.
        #expect(fileSystem.counters.journalSyncs == syncs)
        try checkRecovery(of: directory, acknowledged: acknowledged)
    }

    @Test func fullDiskRefusesAppendsBeforeQueuingAndRecoversWhenSpaceReturns() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FaultyFileSystem()
        let store = try FileStore.open(directory: directory.path, options: testOptions(fileSystem))
        fileSystem.setNoSpace(true)

        var accepted = 0
        var refusal: StoreError?
        for number in 1...200 {
            do {
                let ticket = try store.append(record(number))
                try await withTimeout { try await ticket.wait() }
                accepted += 1
            } catch let error as StoreError {
                refusal = error
                break
            }
        }
        #expect(refusal?.code == .diskFull)
        #expect(accepted > 0 && accepted < 200)
        #expect(store.failure == nil)
        #expect(store.recordsSinceSnapshot == accepted)
        let again = #expect(throws: StoreError.self) { try store.append(record(accepted + 1)) }
        #expect(again?.code == .diskFull)
        #expect(store.recordsSinceSnapshot == accepted)

        fileSystem.setNoSpace(false)
        try await withTimeout { try await store.flush() }
        for number in (accepted + 1)...(accepted + 100) {
            let ticket = try store.append(record(number))
            try await withTimeout { try await ticket.wait() }
        }
        store.close()

        let (reopened, recovered) = try openAndRecover(directory)
        reopened.close()
        #expect(recovered.records == (1...(accepted + 100)).map(record))
    }
}
