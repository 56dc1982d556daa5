import Foundation
import JSON
import StoreTestSupport
import TaskStore
import TestSupport
import Testing

@testable import TaskEngine

/// Data directories that earlier releases wrote open, export exactly as those releases exported them, and
/// still do after this build rewrites them as a current snapshot: `Tests/Fixtures/datadir-v1` (release
/// 0.1.0: a version 1 snapshot and a journal, with users, tokens, comments, attachments and a deleted task)
/// and `datadir-v2` (the release before notifications: a version 2 snapshot and a journal, with templates,
/// workflows and automations too), `datadir-v3` (the release before `journal.manifest`: a version 3
/// snapshot and a journal, made by the same script with that release's binary) and `datadir-v3-manifest`
/// (the release before the faster restart: the same, plus the `journal.manifest` it wrote).
@Suite(.closesTestStores)
struct CompatibilityTests {
    /// The fixtures, by the snapshot version their release wrote.
    static let versions = ["v1", "v2", "v3", "v3-manifest"]

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The fixture's export, byte for byte, as `taskwire export` of its release printed it.
    static func fixtureExport(_ version: String = "v1") throws -> [UInt8] {
        [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("datadir-\(version)-export.json")))
    }

    /// A copy of the fixture directory, so no test changes the fixture.
    static func copyOfFixture(into directory: TemporaryDirectory, _ version: String = "v1") throws -> String {
        let path = directory.appending("data")
        try FileManager.default.copyItem(
            atPath: fixtures.appendingPathComponent("datadir-\(version)").path, toPath: path)
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

    @Test(arguments: versions)
    func theDirectoryOpensAndExportsExactlyAsItsReleaseDid(version: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, engine) = try Self.open(try Self.copyOfFixture(into: directory, version))
        defer { store.close() }
        #expect(try await Self.exportBytes(of: engine) == Self.fixtureExport(version))
        #expect(await engine.taskCount > 0)
    }

    @Test(arguments: versions)
    func aCurrentSnapshotOfItExportsTheSame(version: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try Self.copyOfFixture(into: directory, version)
        do {
            let (store, engine) = try Self.open(path)
            let bytes = await engine.state.snapshotBytes()
            #expect(
                String(decoding: bytes.prefix(64), as: UTF8.self)
                    == #"{"kind":"header","format":"taskwire-engine-snapshot","version":3"#)
            #expect(store.snapshot { bytes })
            store.close()
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
        #expect(names.contains { $0.hasPrefix("snapshot-") && $0 != "snapshot-0000000000000000.snap" })
        let (store, engine) = try Self.open(path)
        defer { store.close() }
        #expect(try await Self.exportBytes(of: engine) == Self.fixtureExport(version))
        // Every record is inside the new snapshot: nothing was replayed from the journal.
        #expect(store.recordsSinceSnapshot == 0)
    }

    @Test(arguments: versions)
    func importingTheFixtureExportGivesTheSameExport(version: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let document = try JSONParser.parse(try Self.fixtureExport(version))
        let store = try FileStore.open(directory: directory.appending("imported"))
        defer { store.close() }
        let engine = try Engine.importDocument(document, into: store)
        #expect(try await Self.exportBytes(of: engine) == Self.fixtureExport(version))
    }
}
