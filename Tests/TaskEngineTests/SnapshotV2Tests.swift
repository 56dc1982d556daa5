import Foundation
import JSON
import StoreTestSupport
import TaskStore
import TestSupport
import Testing

@testable import TaskEngine

/// Version 2 snapshots: every line says its kind, readers sort lines by kind, and nothing counts lines.
@Suite(.closesTestStores)
struct SnapshotV2Tests {
    /// The state of the release 0.1.0 fixture (every kind of line), and its version 2 snapshot's lines.
    static func fixtureState() async throws -> (EngineState, [String]) {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (store, engine) = try CompatibilityTests.open(try CompatibilityTests.copyOfFixture(into: directory))
        defer { store.close() }
        let state = await engine.state
        let lines = String(decoding: state.snapshotBytes(), as: UTF8.self).split(separator: "\n").map(String.init)
        return (state, lines)
    }

    static func kind(of line: String) -> String {
        (try? JSONParser.parse(Array(line.utf8))["kind"]?.stringValue) ?? ""
    }

    @Test func everyLineCarriesItsKindAndTheHeaderComesFirst() async throws {
        let (_, lines) = try await Self.fixtureState()
        #expect(lines.first?.hasPrefix(#"{"kind":"header","format":"taskwire-engine-snapshot","version":3,"#) == true)
        let kinds = Set(lines.map(Self.kind(of:)))
        // The fixture's assignments and comments reached their assignees' inboxes (the default settings).
        #expect(
            kinds == [
                "header", "task", "event", "idempotency_key", "user", "token", "comment", "attachment", "notification",
            ])
        let header = try JSONParser.parse(Array(lines[0].utf8))
        for counted in ["tasks", "events", "users", "tokens", "comments", "attachments"] {
            #expect(header[counted] == nil)
        }
        // Events carry the journal record as it is, so a restart copies them without parsing.
        let event = try #require(lines.first { $0.hasPrefix(#"{"kind":"event","record":{"#) })
        #expect(event.hasSuffix("}}"))
    }

    @Test func linesMayComeInAnyOrderKeepingTheOrderOfEachKind() async throws {
        let (state, lines) = try await Self.fixtureState()
        var queues: [String: [String]] = [:]
        var order: [String] = []
        for line in lines.dropFirst() {
            let kind = Self.kind(of: line)
            if queues[kind] == nil { order.append(kind) }
            queues[kind, default: []].append(line)
        }
        for seed in UInt64(1)...5 {
            // Interleave the kinds at random, each kind's lines staying in their order.
            var random = SeededRandom(seed: seed)
            var remaining = queues
            var shuffled = [lines[0]]
            while let kind = remaining.keys.sorted().filter({ !(remaining[$0] ?? []).isEmpty })
                .randomElement(using: &random)
            {
                shuffled.append(remaining[kind]!.removeFirst())
            }
            let reread = try EngineState(snapshot: Array(shuffled.joined(separator: "\n").utf8))
            #expect(reread.exportDocument() == state.exportDocument())
        }
        // The kinds in reverse order, and a line whose kind is not its first member.
        var reversed = [lines[0]]
        for kind in order.reversed() { reversed += queues[kind] ?? [] }
        if let index = reversed.firstIndex(where: { $0.hasPrefix(#"{"kind":"user","#) }) {
            reversed[index] =
                "{" + reversed[index].dropFirst(#"{"kind":"user","#.count).dropLast() + #","kind":"user"}"#
        }
        let reread = try EngineState(snapshot: Array(reversed.joined(separator: "\n").utf8))
        #expect(reread.exportDocument() == state.exportDocument())
    }

    @Test(arguments: [
        #"{"kind":"template","template_id":"tpl_1"}"#, #"{"kind":"header","format":"taskwire-engine-snapshot"}"#,
        #"{"task_id":"tsk_0000000000001"}"#, #"{"kind":7}"#, "not json", "[1,2]",
    ])
    func aLineNoReaderOwnsIsDamage(line: String) async throws {
        let (_, lines) = try await Self.fixtureState()
        let bytes = Array((lines + [line]).joined(separator: "\n").utf8)
        #expect(throws: EngineError.self) { _ = try EngineState(snapshot: bytes) }
    }

    @Test func eventsOutOfOrderOrMissingAreDamage() async throws {
        let (_, lines) = try await Self.fixtureState()
        let events = lines.indices.filter { lines[$0].hasPrefix(#"{"kind":"event""#) }
        var swapped = lines
        swapped.swapAt(events[0], events[1])
        #expect(throws: EngineError.self) {
            _ = try EngineState(snapshot: Array(swapped.joined(separator: "\n").utf8))
        }
        var missing = lines
        missing.remove(at: events[events.count - 1])
        #expect(throws: EngineError.self) {
            _ = try EngineState(snapshot: Array(missing.joined(separator: "\n").utf8))
        }
    }

    @Test func aNewSnapshotIsAlwaysVersion2AndReadsBack() async throws {
        let fixture = try Fixture(snapshotThreshold: 1, on: .memory)
        let task = try await fixture.create("Snapshotted")
        let reopened = try fixture.reopen()
        #expect(try await reopened.task(task.id) == task)
        let snapshot = try #require(try fixture.store.recover().snapshot)
        #expect(snapshot.starts(with: Array(#"{"kind":"header","#.utf8)))
        #expect(try fixture.store.recover().records.isEmpty)
    }
}

/// Version 3 is version 2 plus the notification kinds: a version 2 payload reads, one holding a
/// notification line is damage.
@Suite(.closesTestStores)
struct SnapshotV3Tests {
    static func payload(of engine: Engine, as version: Int) async -> [UInt8] {
        let text = String(decoding: await engine.state.snapshotBytes(), as: UTF8.self)
        return Array(text.replacingOccurrences(of: #""version":3,"#, with: "\"version\":\(version),").utf8)
    }

    @Test func aVersion2PayloadReadsUnlessItHoldsNotifications() async throws {
        let fixture = try Fixture()
        _ = try await fixture.create("Plain")
        let plain = await Self.payload(of: fixture.engine, as: 2)
        #expect(throws: Never.self) { try EngineState(snapshot: plain) }
        var settings = NotificationSettings()
        settings.channels = ["in_app"]
        settings.events = ["task_completed"]
        _ = try await fixture.engine.configureNotifications(settings, for: .serverDefault, by: .system)
        let current = await Self.payload(of: fixture.engine, as: 3)
        #expect(throws: Never.self) { try EngineState(snapshot: current) }
        let forged = await Self.payload(of: fixture.engine, as: 2)
        #expect(throws: EngineError.self) { try EngineState(snapshot: forged) }
    }
}
