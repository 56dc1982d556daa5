import Foundation
import JSON
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real binary on the data directories earlier releases wrote (`Tests/Fixtures/datadir-v1`, release
/// 0.1.0; `datadir-v2`, the release before notifications; `datadir-v3`, the release before
/// `journal.manifest`; `datadir-v3-manifest`, the release before the faster restart): each checks healthy,
/// exports exactly what its release exported, and is served without changing any of its tasks.
@Suite struct CompatibilityTests {
    static let versions = ["v1", "v2", "v3", "v3-manifest"]

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A copy of the fixture directory, so no test changes the fixture.
    static func copyOfFixture(into directory: TemporaryDirectory, _ version: String) throws -> String {
        let path = directory.appending("data")
        try FileManager.default.copyItem(
            atPath: fixtures.appendingPathComponent("datadir-\(version)").path, toPath: path)
        return path
    }

    static func fixtureExport(_ version: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("datadir-\(version)-export.json")))
    }

    @Test(arguments: versions)
    func checkAndExportOfTheEarlierReleasesDirectory(version: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = try Self.copyOfFixture(into: directory, version)
        let check = try await CommandResult.run(["check", "--data-dir", dataDirectory])
        #expect(check.status == 0, "check failed: \(String(decoding: check.standardOutput, as: UTF8.self))")
        let export = try await CommandResult.run(["export", "--data-dir", dataDirectory])
        #expect(export.status == 0, "export failed: \(export.standardError)")
        #expect(export.standardOutput == (try Self.fixtureExport(version)))
    }

    @Test(arguments: versions)
    func aServerOnItKeepsEveryTaskAsItWas(version: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = try Self.copyOfFixture(into: directory, version)
        let fixture = try JSONParser.parse(try Self.fixtureExport(version))
        let fixtureTasks = fixture["tasks"]?.arrayValue ?? []
        #expect(!fixtureTasks.isEmpty)

        let server = try ServerProcess(arguments: ["--data-dir", dataDirectory, "--log-level", "error"])
        defer { server.kill() }
        let created = try await server.client.call("tasks.create", params: ["title": "Written by the new build"])
        let newID = try #require(created["result"]?["task_id"]?.stringValue, "create failed: \(created)")
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)

        let export = try await CommandResult.run(["export", "--data-dir", dataDirectory])
        #expect(export.status == 0, "export failed: \(export.standardError)")
        let document = try JSONParser.parse(export.standardOutput)
        let tasks = document["tasks"]?.arrayValue ?? []
        #expect(Array(tasks.prefix(fixtureTasks.count)) == fixtureTasks)
        #expect(tasks.count == fixtureTasks.count + 1)
        #expect(tasks.last?["task_id"]?.stringValue == newID)
        for member in [
            "users", "tokens", "comments", "attachments", "idempotency_keys", "blobs", "templates", "workflows",
            "automations",
        ] {
            #expect(document[member] == fixture[member], "\(member) changed")
        }
        let fixtureEvents = fixture["events"]?.arrayValue ?? []
        #expect(Array((document["events"]?.arrayValue ?? []).prefix(fixtureEvents.count)) == fixtureEvents)
    }
}
