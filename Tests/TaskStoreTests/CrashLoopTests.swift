import Dispatch
import TestSupport
import Testing

@testable import TaskStore

/// A server killed again and again while its snapshot is being written must not leave a journal that grows
/// with every crash: the start after an interrupted snapshot writes it before serving.
/// Its tests open, fill and crash stores synchronously, so they run one at a time, holding at most one thread
/// of the concurrency pool.
@Suite(.serialized)
struct CrashLoopTests {
    static let threshold = 20
    static let perRun = 25

    /// One run of a server: recover (writing the recovery snapshot when asked, as the engine does), append
    /// `perRun` records, start the snapshot that is then due, and die while it is being written.
    /// Returns how many records the start replayed and the snapshot payload it started from.
    private func crashingRun(
        _ directory: TemporaryDirectory, appendFrom next: Int, honourRecoverySnapshot: Bool
    ) async throws -> (replayed: Int, snapshot: String?) {
        var options = testOptions()
        options.snapshotRecordThreshold = Self.threshold
        let store = try FileStore.open(directory: directory.path, options: options)
        let recovered = try store.recover()
        if recovered.snapshotBeforeServing && honourRecoverySnapshot {
            try store.writeRecoverySnapshot(Array("state up to \(next - 1)".utf8))
        }
        var last: CommitTicket?
        for number in next..<(next + Self.perRun) { last = try store.append(record(number)) }
        let ticket = last
        try await withTimeout { try await ticket?.wait() }
        #expect(store.snapshotDue)
        let started = DispatchSemaphore(value: 0)
        let gate = DispatchSemaphore(value: 0)
        let boundary = next + Self.perRun - 1
        #expect(
            store.snapshot {
                started.signal()
                gate.wait()
                return Array("state up to \(boundary)".utf8)
            })
        #expect(started.wait(timeout: .now() + 20) == .success)
        store.simulateCrash { gate.signal() }
        return (recovered.records.count, recovered.snapshot.map { String(decoding: $0, as: UTF8.self) })
    }

    private func journalFiles(_ directory: TemporaryDirectory) throws -> [String] {
        try directory.names().filter { StorePaths.segmentFirstRecord($0) != nil }
    }

    @Test func repeatedCrashesDuringASnapshotKeepReplayAndSegmentsBounded() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let runs = 30
        var replayed: [Int] = []
        for run in 0..<runs {
            let outcome = try await crashingRun(
                directory, appendFrom: run * Self.perRun + 1, honourRecoverySnapshot: true)
            replayed.append(outcome.replayed)
            let segments = try journalFiles(directory)
            #expect(segments.count <= 3, "after run \(run): \(segments)")
        }
        // Each start replays only what the run before it appended, however many crashes came before.
        #expect(replayed.max() ?? 0 <= Self.perRun, "replayed per start: \(replayed)")
        let snapshots = try directory.names().filter { StorePaths.snapshotLastRecord($0) != nil }
        #expect(snapshots.count <= 2)

        // Nothing was lost: the last start's snapshot plus its journal reach the last record appended.
        let (store, recovered) = try openAndRecover(directory)
        store.close()
        let total = runs * Self.perRun
        let base = total - Self.perRun
        #expect(recovered.snapshot.map { String(decoding: $0, as: UTF8.self) } == "state up to \(base)")
        #expect(recovered.records == ((base + 1)...total).map(record))
    }

    @Test func withoutTheRecoverySnapshotEveryCrashLeavesMoreToReplay() async throws {
        // The failure this guards against: a start that ignores the request replays more after every crash.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var replayed: [Int] = []
        for run in 0..<6 {
            let outcome = try await crashingRun(
                directory, appendFrom: run * Self.perRun + 1, honourRecoverySnapshot: false)
            replayed.append(outcome.replayed)
        }
        #expect(replayed == (0..<6).map { $0 * Self.perRun })
        #expect(try journalFiles(directory).count == 7)
    }

    @Test func aCleanStartBelowTheThresholdIsNotAskedForASnapshot() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var options = testOptions()
        options.snapshotRecordThreshold = Self.threshold
        let store = try FileStore.open(directory: directory.path, options: options)
        var last: CommitTicket?
        for number in 1...(Self.threshold * 2) { last = try store.append(record(number)) }
        let ticket = last
        try await withTimeout { try await ticket?.wait() }
        store.simulateCrash()
        // Past the threshold, but no snapshot was ever started: the usual background snapshot is enough.
        let reopened = try FileStore.open(directory: directory.path, options: options)
        defer { reopened.close() }
        let recovered = try reopened.recover()
        #expect(recovered.records.count == Self.threshold * 2)
        #expect(!recovered.snapshotBeforeServing)
    }
}
