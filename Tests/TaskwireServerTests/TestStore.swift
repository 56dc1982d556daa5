import Foundation
import PostgresStore
import TaskStore
import TestSupport
import Testing

/// The store a method suite's engine runs on: memory, or, with `TASKWIRE_TEST_STORE=postgres` (the second
/// pass `scripts/test` makes of these suites), a PostgreSQL database of its own, so that one set of server
/// tests proves both backends (docs/postgres.md, "Testing").
enum TestStore {
    /// Whether this pass runs the suites on PostgreSQL.
    static var onPostgres: Bool { ProcessInfo.processInfo.environment["TASKWIRE_TEST_STORE"] == "postgres" }

    /// A new, empty store of this pass's backend. The PostgreSQL ones stay open until the test process ends.
    static func make() async throws -> any Store {
        guard onPostgres else { return MemoryStore() }
        let conninfo = try await PostgresScratch.createDatabase()
        _ = try PostgresBackend.migrate(conninfo: conninfo)
        var options = PostgresStoreOptions()
        options.onWarning = { _ in }
        return try PostgresBackend.open(conninfo: conninfo, options: options)
    }
}

/// `scripts/test` runs the suites that take their store from ``TestStore`` a second time on PostgreSQL, by
/// name: the list there must name every one of them.
struct TestStorePassTests {
    @Test func theSecondPassNamesEverySuiteThatTakesItsStoreFromTestStore() throws {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let script = try String(
            contentsOf: tests.deletingLastPathComponent().deletingLastPathComponent().appending(path: "scripts/test"),
            encoding: .utf8)
        let pass = try #require(script.split(separator: "\n").first { $0.contains("'TemplateMethodsTests|") })
        let named = Set(pass.split(separator: "'")[1].split(separator: "|").map(String.init))
        var users: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: tests.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: tests.appending(path: file), encoding: .utf8)
            guard file != "TestStore.swift", text.contains("TestStore.make()") else { continue }
            users.insert(String(file.dropLast(".swift".count)))
        }
        #expect(!users.isEmpty)
        #expect(named == users)
    }
}
