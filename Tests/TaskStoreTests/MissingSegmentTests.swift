import TestSupport
import Testing

@testable import TaskStore

/// `journal.manifest` names the newest segment, so a start that cannot find it refuses instead of serving a
/// journal that silently ends early.
struct MissingSegmentTests {
    static let first = "journal-0000000000000001.log"
    static let newest = "journal-0000000000000004.log"

    /// Records 1 to 3 in segment 1, a snapshot up to 3, records 4 to 6 in segment 4 (the newest).
    private func rotatedDirectory() async throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let (store, _) = try openAndRecover(directory)
        for number in 1...3 { _ = try store.append(record(number)) }
        store.snapshot { Array("state after 3".utf8) }
        var last: CommitTicket?
        for number in 4...6 { last = try store.append(record(number)) }
        let ticket = last
        try await withTimeout { try await ticket?.wait() }
        store.close()
        #expect(try directory.names().contains(Self.newest))
        return directory
    }

    private func contents(of directory: TemporaryDirectory) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for name in try directory.names() where name != "LOCK" { files[name] = try directory.read(name) }
        return files
    }

    @Test func aFreshDirectoryRecordsItsFirstSegment() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, _) = try openAndRecover(directory)
        store.close()
        let manifest = try JournalManifest.read(directory: directory.path, fileSystem: SystemFileSystem())
        #expect(manifest == .newestSegment(firstRecord: 1))
    }

    @Test func aDeletedNewestSegmentRefusesTheStartAndCheckSaysWhatIsMissing() async throws {
        let directory = try await rotatedDirectory()
        defer { directory.remove() }
        #expect(
            try JournalManifest.read(directory: directory.path, fileSystem: SystemFileSystem())
                == .newestSegment(firstRecord: 4))
        try FileManagerShim.remove(directory.appending(Self.newest))
        let before = try contents(of: directory)

        // Without the manifest this directory looks whole: the snapshot up to 3 and segment 1 ending at 3.
        let error = #expect(throws: StoreError.self) { try FileStore.open(directory: directory.path) }
        #expect(error?.code == .damaged)
        #expect(error?.location?.hasSuffix(Self.newest) == true)
        #expect(error?.message.contains("\(Self.newest) is missing") == true)
        #expect(error?.message.contains("from record 4 on") == true)

        let report = try FileStore.check(directory: directory.path)
        #expect(report.status == .damaged)
        #expect(report.description.contains("problem: The journal segment \(Self.newest) is missing"))
        #expect(report.description.contains("what to do:"))
        #expect(try contents(of: directory) == before)
    }

    @Test func aDeletedOnlySegmentRefusesTheStart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, _) = try openAndRecover(directory)
        let ticket = try store.append(record(1))
        try await withTimeout { try await ticket.wait() }
        store.close()
        try FileManagerShim.remove(directory.appending(Self.first))

        let error = #expect(throws: StoreError.self) { try FileStore.open(directory: directory.path) }
        #expect(error?.code == .damaged)
        #expect(error?.message.contains("no segment is present") == true)
    }

    @Test func aManifestNamingTheSegmentBeforeTheNewestIsACrashBetweenRenameAndUpdate() async throws {
        let directory = try await rotatedDirectory()
        defer { directory.remove() }
        // What a crash after renaming the spare into place but before updating the manifest leaves.
        try JournalManifest.write(
            newestSegmentFirstRecord: 1, directory: directory.path, fileSystem: SystemFileSystem())

        #expect(try FileStore.check(directory: directory.path).status == .healthy)
        let (store, recovered) = try openAndRecover(directory)
        store.close()
        #expect(recovered.records == (4...6).map(record))
        #expect(
            try JournalManifest.read(directory: directory.path, fileSystem: SystemFileSystem())
                == .newestSegment(firstRecord: 4))
    }

    @Test func aDirectoryFromAnEarlierReleaseOpensAndGetsAManifest() async throws {
        let directory = try await rotatedDirectory()
        defer { directory.remove() }
        try FileManagerShim.remove(directory.appending(StorePaths.manifest))

        #expect(try FileStore.check(directory: directory.path).status == .healthy)
        let (store, recovered) = try openAndRecover(directory)
        store.close()
        #expect(recovered.records == (4...6).map(record))
        #expect(try directory.names().contains(StorePaths.manifest))
    }

    @Test func aDamagedManifestIsFatal() async throws {
        let directory = try await rotatedDirectory()
        defer { directory.remove() }
        var bytes = try directory.read(StorePaths.manifest)
        bytes[9] ^= 0x01
        try directory.write(StorePaths.manifest, bytes)

        let error = #expect(throws: StoreError.self) { try FileStore.open(directory: directory.path) }
        #expect(error?.code == .damaged)
        #expect(error?.message.contains("checksum does not match") == true)
        #expect(try FileStore.check(directory: directory.path).status == .damaged)
    }

    @Test func aRotationUpdatesTheManifestOnlyAfterTheSegmentIsInPlace() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FaultyFileSystem()
        let (store, _) = try openAndRecover(directory, testOptions(fileSystem))
        for number in 1...3 { _ = try store.append(record(number)) }
        store.snapshot { Array("state after 3".utf8) }
        let ticket = try store.append(record(4))
        try await withTimeout { try await ticket.wait() }
        store.close()
        let renames = fileSystem.renames
        let segment = try #require(renames.firstIndex { $0.hasSuffix("/" + Self.newest) })
        let manifest = try #require(renames.lastIndex { $0.hasSuffix("/" + StorePaths.manifest) })
        #expect(segment < manifest)
    }
}
