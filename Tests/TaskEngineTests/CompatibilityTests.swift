import Foundation
import JSON
import TaskStore
import TestSupport
import Testing

@testable import TaskEngine

/// The data directory that release 0.1.0 wrote (`Tests/Fixtures/datadir-v1`: a version 1 snapshot and a
/// journal, with users, tokens, comments, attachments and a deleted task) opens, exports exactly as that
/// release exported it, and still does after this build rewrites it as a version 2 snapshot.
struct CompatibilityTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The fixture's export, byte for byte, as `taskwire export` of release 0.1.0 printed it.
    static func fixtureExport() throws -> [UInt8] {
        [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("datadir-v1-export.json")))
    }

    /// A copy of the fixture directory, so no test changes the fixture.
    static func copyOfFixture(into directory: TemporaryDirectory) throws -> String {
        let path = directory.appending("data")
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("datadir-v1").path, toPath: path)
        return path
    }

    /// What `taskwire export` prints: the archive (document and blobs), compact, and a newline.
    static func exportBytes(of engine: Engine) async throws -> [UInt8] {
        var bytes = JSONWriter.bytes(try await engine.exportArchive())
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    static func open(_ path: String) throws -> (FileStore, Engine) {
        let store = try FileStore.open(directory: path)
        return (store, try Engine.open(store: store, snapshotThreshold: Int.max))
    }

    @Test func theVersion1DirectoryOpensAndExportsExactlyAsRelease010Did() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, engine) = try Self.open(try Self.copyOfFixture(into: directory))
        defer { store.close() }
        #expect(try await Self.exportBytes(of: engine) == Self.fixtureExport())
        #expect(await engine.taskCount > 0)
    }

    @Test func aVersion2SnapshotOfItExportsTheSame() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try Self.copyOfFixture(into: directory)
        do {
            let (store, engine) = try Self.open(path)
            let bytes = await engine.state.snapshotBytes()
            #expect(String(decoding: bytes.prefix(17), as: UTF8.self) == #"{"kind":"header","#)
            #expect(store.snapshot { bytes })
            store.close()
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
        #expect(names.contains { $0.hasPrefix("snapshot-") && $0 != "snapshot-0000000000000000.snap" })
        let (store, engine) = try Self.open(path)
        defer { store.close() }
        #expect(try await Self.exportBytes(of: engine) == Self.fixtureExport())
        // Every record is inside the new snapshot: nothing was replayed from the journal.
        #expect(store.recordsSinceSnapshot == 0)
    }

    @Test func importingTheFixtureExportGivesTheSameExport() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let document = try JSONParser.parse(try Self.fixtureExport())
        let store = try FileStore.open(directory: directory.appending("imported"))
        defer { store.close() }
        let engine = try Engine.importDocument(document, into: store)
        #expect(try await Self.exportBytes(of: engine) == Self.fixtureExport())
    }
}
