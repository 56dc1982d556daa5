import Foundation
import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// Version 1 snapshots (releases up to 0.1.0) still load: positional, the header counting each kind.
@Suite(.closesTestStores)
struct SnapshotV1Tests {
    /// The version 1 form of a state: the header with its counts, then tasks, events, idempotency keys,
    /// users, tokens, comments and attachments, untagged; `collaborationCounts: false` writes the header
    /// of releases before comments and attachments existed.
    static func version1(of state: EngineState, collaborationCounts: Bool = true) throws -> [UInt8] {
        let lines = String(decoding: state.snapshotBytes(), as: UTF8.self).split(separator: "\n").map(String.init)
        var byKind: [String: [String]] = [:]
        for line in lines.dropFirst() {
            let kind = try #require(try JSONParser.parse(Array(line.utf8))["kind"]?.stringValue)
            let untagged =
                kind == "event"
                ? String(line.dropFirst(#"{"kind":"event","record":"#.count).dropLast())
                : "{" + line.dropFirst("{\"kind\":\"\(kind)\",".count)
            byKind[kind, default: []].append(untagged)
        }
        let header = try #require(JSONParser.parse(Array(lines[0].utf8)).objectValue)
        var first: JSONObject = [:]
        for key in ["last_seq", "last_event_at", "last_task_id"] { first.append(key, header[key] ?? .null) }
        first.append("format", "taskwire-engine-snapshot")
        first.append("version", 1)
        let order = ["task", "event", "idempotency_key", "user", "token", "comment", "attachment"]
        let counts = ["tasks", "events", "idempotency_keys", "users", "tokens", "comments", "attachments"]
        for (kind, count) in zip(order, counts) where collaborationCounts || !["comment", "attachment"].contains(kind) {
            first.append(count, .int(byKind[kind]?.count ?? 0))
        }
        var text = String(decoding: JSONWriter.bytes(.object(first)), as: UTF8.self) + "\n"
        for kind in order { for line in byKind[kind] ?? [] { text += line + "\n" } }
        return Array(text.utf8)
    }

    @Test func aVersion1SnapshotLoadsAsItsVersion2Twin() async throws {
        let (state, _) = try await SnapshotV2Tests.fixtureState()
        let reread = try EngineState(snapshot: try Self.version1(of: state))
        #expect(reread.exportDocument() == state.exportDocument())
        // A version 1 snapshot has no inboxes (release 0.1.0 had no notifications): every other line is the same.
        let withoutInboxes = { (bytes: [UInt8]) in
            String(decoding: bytes, as: UTF8.self).split(separator: "\n").filter {
                !$0.hasPrefix(#"{"kind":"notification"#)
            }
        }
        #expect(withoutInboxes(reread.snapshotBytes()) == withoutInboxes(state.snapshotBytes()))
        #expect(reread.notifications.inboxes.isEmpty)
    }

    @Test func aVersion1SnapshotFromBeforeCommentsHasNone() async throws {
        let fixture = try Fixture()
        _ = try await fixture.engine.upsertUser(UserInput(userID: "ann", name: "Ann", role: "member"), by: .system)
        let task = try await fixture.create("Old") { $0.idempotencyKey = "k" }
        try await fixture.setStatus(task.id, .inProgress)
        let state = await fixture.engine.state
        let bytes = try Self.version1(of: state, collaborationCounts: false)
        #expect(!String(decoding: bytes, as: UTF8.self).contains("\"comments\""))
        let reread = try EngineState(snapshot: bytes)
        #expect(reread.exportDocument() == state.exportDocument())
    }

    @Test func aVersion1HeaderThatMiscountsIsDamage() async throws {
        let (state, _) = try await SnapshotV2Tests.fixtureState()
        let text = String(decoding: try Self.version1(of: state), as: UTF8.self)
        let fewer = text.replacingOccurrences(of: #""tokens":4"#, with: #""tokens":3"#)
        #expect(fewer != text)
        #expect(throws: EngineError.self) { _ = try EngineState(snapshot: Array(fewer.utf8)) }
    }
}
