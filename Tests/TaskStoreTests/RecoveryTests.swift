import TestSupport
import Testing

@testable import TaskStore

struct RecoveryTests {
    static let segment = "journal-0000000000000001.log"

    /// Writes records 1...count into a fresh directory and returns the journal's valid bytes.
    private func journal(of count: Int, in directory: TemporaryDirectory) async throws -> [UInt8] {
        let store = try FileStore.open(directory: directory.path, options: testOptions())
        var last: CommitTicket?
        for number in 1...count { last = try store.append(record(number)) }
        let ticket = last
        try await withTimeout { try await ticket?.wait() }
        store.close()
        let length = (1...count).reduce(0) { $0 + JournalFrame.headerSize + record($1).count }
        return Array(try directory.read(Self.segment)[..<length])
    }

    @Test func tornLastRecordIsTruncatedAtEveryByteOffset() async throws {
        let source = try TemporaryDirectory()
        defer { source.remove() }
        let bytes = try await journal(of: 5, in: source)
        let lastStart = bytes.count - JournalFrame.headerSize - record(5).count
        for cut in lastStart..<bytes.count {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            // Half the cases end the file at the cut, half keep preallocated zeros after it.
            let zeros = cut.isMultiple(of: 2) ? [UInt8](repeating: 0, count: 4096) : []
            try directory.write(Self.segment, Array(bytes[..<cut]) + zeros)

            let (store, recovered) = try openAndRecover(directory)
            #expect(recovered.records == (1...4).map(record), "cut at \(cut)")
            if cut == lastStart {
                #expect(recovered.warnings.isEmpty)
            } else {
                #expect(recovered.warnings.count == 1)
                #expect(recovered.warnings.first?.contains(Self.segment) == true)
                #expect(recovered.warnings.first?.contains("bytes \(lastStart)..<") == true)
            }
            let ticket = try store.append(record(99))
            try await withTimeout { try await ticket.wait() }
            store.close()

            let (again, replayed) = try openAndRecover(directory)
            again.close()
            #expect(replayed.records == (1...4).map(record) + [record(99)], "cut at \(cut)")
            #expect(replayed.warnings.isEmpty)
        }
    }

    @Test(arguments: [0, 5, 12, 20])
    func damagedEarlierRecordRefusesToOpen(byteInRecord: Int) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var bytes = try await journal(of: 5, in: directory)
        let secondStart = JournalFrame.headerSize + record(1).count
        bytes[secondStart + byteInRecord] ^= 0x40
        try directory.write(Self.segment, bytes)

        let error = #expect(throws: StoreError.self) { try FileStore.open(directory: directory.path) }
        #expect(error?.code == .damaged)
        #expect(error?.location?.hasSuffix("\(Self.segment) at \(secondStart)") == true)
        #expect(error?.code.exitCode == 65)

        let report = try FileStore.check(directory: directory.path)
        #expect(!report.isHealthy)
        #expect(report.damage?.location?.hasSuffix("\(Self.segment) at \(secondStart)") == true)
        // Nothing was changed by the refused open or the check.
        #expect(try directory.read(Self.segment) == bytes)
    }

    @Test func missingRecordsBetweenSegmentsAreDamage() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, _) = try openAndRecover(directory)
        for number in 1...3 { _ = try store.append(record(number)) }
        store.snapshot { [] }
        for number in 4...6 { _ = try store.append(record(number)) }
        store.close()
        let (reopened, _) = try openAndRecover(directory)
        for number in 7...9 { _ = try reopened.append(record(number)) }
        reopened.snapshot { [] }
        reopened.close()
        // Now: snapshot 3 (the fallback), snapshot 9, segment 4 (records 4-9) and an empty segment 10.
        // Damage snapshot 9 and lose segment 4: records 4-9 exist nowhere.
        #expect(try directory.names().contains("journal-000000000000000a.log"))
        try directory.write("snapshot-0000000000000009.snap", [1, 2, 3])
        try FileManagerShim.remove(directory.appending("journal-0000000000000004.log"))

        let error = #expect(throws: StoreError.self) { try FileStore.open(directory: directory.path) }
        #expect(error?.code == .damaged)
    }

    @Test func checkReportsAHealthyDirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, _) = try openAndRecover(directory)
        for number in 1...4 { _ = try store.append(record(number)) }
        store.snapshot { Array("four".utf8) }
        for number in 5...7 { _ = try store.append(record(number)) }
        store.close()

        let report = try FileStore.check(directory: directory.path)
        #expect(report.isHealthy)
        #expect(report.warnings.isEmpty)
        #expect(report.snapshots.map(\.valid) == [true])
        #expect(report.segments.map(\.records) == [4, 3])
        #expect(report.snapshotLastRecord == 4)
        #expect(report.recordsAfterSnapshot == 3)
        #expect(report.lastRecord == 7)
        #expect(report.description.contains("healthy"))
    }

    @Test func checkReportsATornTailWithoutRepairingIt() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bytes = try await journal(of: 3, in: directory)
        try directory.write(Self.segment, Array(bytes.dropLast(2)))

        let report = try FileStore.check(directory: directory.path)
        #expect(report.status == .recoverable)
        #expect(report.lastRecord == 2)
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.contains(Self.segment) == true)
        let lastStart = bytes.count - JournalFrame.headerSize - record(3).count
        #expect(report.tornTail?.segment == Self.segment)
        #expect(report.tornTail?.bytes.lowerBound == Int64(lastStart))
        #expect(report.repairs.count == 1)
        #expect(
            report.description.contains("repair: \(Self.segment) ends with an incomplete record at bytes \(lastStart)"))
        #expect(try directory.read(Self.segment) == Array(bytes.dropLast(2)))
    }

    @Test func checkCallsALeftoverSnapshotTemporaryFileRecoverable() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try await journal(of: 2, in: directory)
        let leftover = "snapshot-0000000000000002.snap.tmp"
        try directory.write(leftover, Array("half a snapshot".utf8))

        let report = try FileStore.check(directory: directory.path)
        #expect(report.status == .recoverable)
        #expect(report.temporaryFiles == [leftover])
        #expect(report.description.contains("repair: \(leftover) is a file an interrupted write left"))
        // Opening deletes it, and the directory is healthy afterwards.
        let (store, recovered) = try openAndRecover(directory)
        store.close()
        #expect(recovered.records == (1...2).map(record))
        #expect(try FileStore.check(directory: directory.path).status == .healthy)
    }

    @Test func checkCallsAGapInTheRecordNumbersFatalAndNamesBothSides() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bytes = try await journal(of: 3, in: directory)
        // A segment that claims to start at record 10: records 4 to 9 exist nowhere.
        try directory.write("journal-000000000000000a.log", JournalFrame.frame(record(10)))
        try JournalManifest.write(
            newestSegmentFirstRecord: 10, directory: directory.path, fileSystem: SystemFileSystem())
        _ = bytes

        let report = try FileStore.check(directory: directory.path)
        #expect(report.status == .damaged)
        let text = report.description
        #expect(text.contains("DAMAGED, fatal"))
        #expect(text.contains(Self.segment) && text.contains("journal-000000000000000a.log"))
        #expect(text.contains("where: "))
        #expect(text.contains("what to do:"))
        #expect(!text.contains("repair:"))
    }
}

/// File removal for tests without importing Foundation into every file.
enum FileManagerShim {
    static func remove(_ path: String) throws {
        try SystemFileSystem().remove(path)
    }
}
