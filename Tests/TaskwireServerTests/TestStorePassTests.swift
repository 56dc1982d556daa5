import Foundation
import Testing

/// `scripts/test` runs the suites that take their store from ``TestStore`` a second time on PostgreSQL, by
/// name: the list there must name every one of them.
struct TestStorePassTests {
    @Test func theSecondPassNamesEverySuiteThatTakesItsStoreFromTestStore() throws {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let script = try String(
            contentsOf: tests.deletingLastPathComponent().deletingLastPathComponent().appending(path: "scripts/test"),
            encoding: .utf8)
        let pass = try #require(script.split(separator: "\n").first { $0.contains("'TaskEngineTests\\.|") })
        var named = Set(pass.split(separator: "'")[1].split(separator: "|").map(String.init))
        // Every engine suite runs in that pass, by its module's name.
        #expect(named.remove("TaskEngineTests\\.") != nil)
        var users: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: tests.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: tests.appending(path: file), encoding: .utf8)
            guard file != "TestStorePassTests.swift", text.contains("TestStore.make(") else { continue }
            users.insert(String(file.dropLast(".swift".count)))
        }
        #expect(!users.isEmpty)
        #expect(named == users)
    }
}
