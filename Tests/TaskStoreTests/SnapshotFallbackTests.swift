import TestSupport
import Testing

@testable import TaskStore

/// A damaged snapshot may be skipped only when the journal can rebuild what it held; otherwise opening
/// refuses and `check` says so. `check` reports every damaged snapshot, also one a start survives.
struct SnapshotFallbackTests {
    static let importSnapshot = "snapshot-0000000000000000.snap"
    static let olderSnapshot = "snapshot-0000000000000003.snap"
    static let newerSnapshot = "snapshot-0000000000000009.snap"

    /// What `taskwire import` leaves: the whole state in a snapshot up to record 0, beside an empty journal.
    private func importStyleDirectory() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let store = try FileStore.open(directory: directory.path, options: testOptions())
        try store.writeInitialSnapshot(Array("imported state".utf8))
        store.close()
        #expect(try directory.names().contains(Self.importSnapshot))
        return directory
    }

    /// Snapshot 3 (the fallback), snapshot 9, segment 4 holding records 4 to 9 and an empty segment 10.
    private func twoSnapshotDirectory() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let (store, _) = try openAndRecover(directory)
        for number in 1...3 { _ = try store.append(record(number)) }
        store.snapshot { Array("state after 3".utf8) }
        for number in 4...6 { _ = try store.append(record(number)) }
        store.close()
        let (reopened, _) = try openAndRecover(directory)
        for number in 7...9 { _ = try reopened.append(record(number)) }
        reopened.snapshot { Array("state after 9".utf8) }
        reopened.close()
        let names = try directory.names()
        #expect(names.contains(Self.olderSnapshot) && names.contains(Self.newerSnapshot))
        #expect(names.contains("journal-0000000000000004.log") && names.contains("journal-000000000000000a.log"))
        return directory
    }

    /// Flips one bit in the middle of a file, as a failing disk would.
    private func flipByte(_ name: String, in directory: TemporaryDirectory) throws {
        var bytes = try directory.read(name)
        bytes[bytes.count / 2] ^= 0x01
        try directory.write(name, bytes)
    }

    /// Every file's bytes, to prove that a refused open and a check change nothing.
    private func contents(of directory: TemporaryDirectory) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for name in try directory.names() where name != "LOCK" { files[name] = try directory.read(name) }
        return files
    }

    @Test func importedDirectoryWithItsOnlySnapshotDamagedRefusesToOpen() throws {
        let directory = try importStyleDirectory()
        defer { directory.remove() }
        try flipByte(Self.importSnapshot, in: directory)
        let before = try contents(of: directory)

        let error = #expect(throws: StoreError.self) {
            try FileStore.open(directory: directory.path, options: testOptions())
        }
        #expect(error?.code == .damaged)
        #expect(error?.code.exitCode == 65)
        #expect(error?.location?.hasSuffix(Self.importSnapshot) == true)
        #expect(error?.message.contains("taskwire import") == true)

        let report = try FileStore.check(directory: directory.path)
        #expect(report.status == .damaged)
        #expect(report.damagedSnapshots.map(\.name) == [Self.importSnapshot])
        #expect(report.damage?.location?.hasSuffix(Self.importSnapshot) == true)
        #expect(report.description.contains("DAMAGED"))
        #expect(report.description.contains("what to do:"))
        #expect(try contents(of: directory) == before)
    }

    @Test func importedDirectoryNeverFallsBackPastItsStartingPoint() throws {
        // After the import, a snapshot up to record 3 over a journal from record 1. With both snapshots
        // damaged, replaying records 1 to 3 onto an empty state would look complete but drop the import.
        let directory = try importStyleDirectory()
        defer { directory.remove() }
        let (store, _) = try openAndRecover(directory)
        for number in 1...3 { _ = try store.append(record(number)) }
        store.snapshot { Array("state after 3".utf8) }
        store.close()
        #expect(try directory.names().contains(Self.importSnapshot))

        try flipByte(Self.olderSnapshot, in: directory)
        let (fellBack, recovered) = try openAndRecover(directory)
        fellBack.close()
        #expect(recovered.snapshot == Array("imported state".utf8))
        #expect(recovered.records == (1...3).map(record))
        #expect(try FileStore.check(directory: directory.path).status == .recoverable)

        try flipByte(Self.importSnapshot, in: directory)
        let error = #expect(throws: StoreError.self) {
            try FileStore.open(directory: directory.path, options: testOptions())
        }
        #expect(error?.code == .damaged)
        #expect(error?.location?.hasSuffix(Self.importSnapshot) == true)
        #expect(try FileStore.check(directory: directory.path).status == .damaged)
    }

    @Test func damagedNewestSnapshotFallsBackWhenTheJournalCoversTheGap() throws {
        let directory = try twoSnapshotDirectory()
        defer { directory.remove() }
        try flipByte(Self.newerSnapshot, in: directory)

        let report = try FileStore.check(directory: directory.path)
        #expect(report.status == .recoverable)
        #expect(report.damage == nil)
        #expect(report.damagedSnapshots.map(\.name) == [Self.newerSnapshot])
        #expect(report.snapshotLastRecord == 3)
        #expect(report.lastRecord == 9)
        #expect(report.description.contains("RECOVERABLE"))
        #expect(report.repairs.contains { $0.contains(Self.newerSnapshot) && $0.contains(Self.olderSnapshot) })

        let (store, recovered) = try openAndRecover(directory)
        store.close()
        #expect(recovered.snapshot == Array("state after 3".utf8))
        #expect(recovered.records == (4...9).map(record))
        #expect(recovered.warnings.contains { $0.contains(Self.newerSnapshot) && $0.contains("4 to 9") })
    }

    @Test func damagedNewestSnapshotRefusesWhenASegmentOfTheGapIsMissing() throws {
        let directory = try twoSnapshotDirectory()
        defer { directory.remove() }
        try flipByte(Self.newerSnapshot, in: directory)
        // Records 4 to 9 now exist nowhere: the journal resumes at record 10.
        try FileManagerShim.remove(directory.appending("journal-0000000000000004.log"))
        let before = try contents(of: directory)

        let error = #expect(throws: StoreError.self) {
            try FileStore.open(directory: directory.path, options: testOptions())
        }
        #expect(error?.code == .damaged)
        #expect(error?.location?.hasSuffix(Self.newerSnapshot) == true)
        #expect(error?.message.contains("cannot rebuild it from \(Self.olderSnapshot)") == true)

        let report = try FileStore.check(directory: directory.path)
        #expect(report.status == .damaged)
        #expect(report.damage?.location?.hasSuffix(Self.newerSnapshot) == true)
        #expect(try contents(of: directory) == before)
    }

    @Test func damagedNewestSnapshotRefusesWhenTheJournalEndsBeforeIt() throws {
        let directory = try twoSnapshotDirectory()
        defer { directory.remove() }
        try flipByte(Self.newerSnapshot, in: directory)
        // No journal at all after snapshot 3: falling back would silently end at record 3 instead of 9.
        try FileManagerShim.remove(directory.appending("journal-0000000000000004.log"))
        try FileManagerShim.remove(directory.appending("journal-000000000000000a.log"))
        // As in a directory an earlier release wrote: without journal.manifest, which would name the
        // deleted segment, only the snapshot's boundary shows that the journal is short.
        try FileManagerShim.remove(directory.appending(StorePaths.manifest))

        let error = #expect(throws: StoreError.self) {
            try FileStore.open(directory: directory.path, options: testOptions())
        }
        #expect(error?.code == .damaged)
        #expect(error?.location?.hasSuffix(Self.newerSnapshot) == true)
        #expect(error?.message.contains("up to 9") == true)
        #expect(try FileStore.check(directory: directory.path).status == .damaged)
    }

    @Test func damagedNewestSnapshotRefusesBeforeTruncatingATornTailThatEndsTheGapEarly() throws {
        let directory = try twoSnapshotDirectory()
        defer { directory.remove() }
        try flipByte(Self.newerSnapshot, in: directory)
        // Segment 4 becomes the newest and ends inside record 9: records 4 to 8 cannot rebuild snapshot 9.
        try FileManagerShim.remove(directory.appending("journal-000000000000000a.log"))
        // As in a directory an earlier release wrote: without journal.manifest, which would name the
        // deleted segment, only the snapshot's boundary shows that the journal is short.
        try FileManagerShim.remove(directory.appending(StorePaths.manifest))
        let segment = "journal-0000000000000004.log"
        let length = (4...9).reduce(0) { $0 + JournalFrame.headerSize + record($1).count }
        try directory.write(segment, Array(try directory.read(segment)[..<(length - 3)]))
        let before = try contents(of: directory)

        let error = #expect(throws: StoreError.self) {
            try FileStore.open(directory: directory.path, options: testOptions())
        }
        #expect(error?.location?.hasSuffix(Self.newerSnapshot) == true)
        #expect(try contents(of: directory) == before)
    }

    @Test func damagedFallbackSnapshotIsReportedThoughAStartDoesNotNeedIt() throws {
        let directory = try twoSnapshotDirectory()
        defer { directory.remove() }
        try flipByte(Self.olderSnapshot, in: directory)

        let report = try FileStore.check(directory: directory.path)
        #expect(report.status == .recoverable)
        #expect(report.damagedSnapshots.map(\.name) == [Self.olderSnapshot])
        #expect(report.repairs.contains { $0.contains(Self.olderSnapshot) && $0.contains("does not need it") })

        let (store, recovered) = try openAndRecover(directory)
        store.close()
        #expect(recovered.snapshot == Array("state after 9".utf8))
        #expect(recovered.records.isEmpty)
    }
}
