import Foundation
import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// Comments, attachments and watchers survive replay, snapshots, and export/import exactly as tasks do.
@Suite(.closesTestStores)
struct CollaborationPersistenceTests {
    /// Tasks with comments, attachments (one deleted, one shared by two uploads), watchers and a deleted task.
    static func populate(_ fixture: CollaborationFixture) async throws -> [TaskID] {
        var ids: [TaskID] = []
        for index in 0..<12 {
            fixture.clock.advance(seconds: 30)
            let id = try await fixture.task("Task \(index)")
            ids.append(id)
            let attachment = try await fixture.upload(id, pngBytes(index), name: "shot-\(index).png")
            try await fixture.comment(id, "Comment on \(index)", mentions: ["user123"], attachments: [attachment.id])
            if index % 2 == 0 { _ = try await fixture.engine.watch(id, by: Caller(user: "user456")) }
            if index % 3 == 0 { _ = try await fixture.engine.watch(id, userID: "user789", by: .system) }
            if index % 4 == 0 { _ = try await fixture.engine.unwatch(id, userID: "user789", by: .system) }
            if index % 5 == 0 { _ = try await fixture.engine.deleteAttachment(attachment.id, by: .system) }
            _ = try await fixture.upload(id, Array("shared text".utf8), name: "notes.txt")
        }
        _ = try await fixture.engine.delete(ids[3], by: .system)
        return ids
    }

    @Test func replayingTheJournalRebuildsComments() async throws {
        let fixture = try CollaborationFixture()
        let ids = try await Self.populate(fixture)
        let original = await fixture.engine.exportDocument()
        #expect(original["comments"]?.arrayValue?.count == 12)
        let replayed = try fixture.reopen()
        #expect(await replayed.exportDocument() == original)
        #expect(try await replayed.comments(ids[1]).comments == (try await fixture.engine.comments(ids[1])).comments)
        // Ids keep growing after a replay.
        let next = try await replayed.addComment(NewComment(taskID: ids[0], text: "After"), by: .system).value
        #expect(next.id > (try await fixture.engine.comments(ids[11]).comments.last?.id ?? CommentID(raw: 0)))
    }

    @Test func snapshotsCarryCommentsAttachmentsAndWatchers() async throws {
        let fixture = try CollaborationFixture(snapshotThreshold: 10)
        let ids = try await Self.populate(fixture)
        #expect(try await TestStore.tookSnapshot(fixture.store.inner, threshold: 10))
        let original = await fixture.engine.exportDocument()
        let replayed = try fixture.reopen()
        #expect(await replayed.exportDocument() == original)
        #expect(try await replayed.task(ids[0]).watchers == ["user456"])
        #expect(
            try await replayed.attachments(ids[1]).attachments
                == (try await fixture.engine.attachments(ids[1])).attachments)
        let last = try #require(try await fixture.engine.attachments(ids[11]).attachments.last)
        let next = try await replayed.uploadAttachment(
            NewAttachment(taskID: ids[0], filename: "x", contentBase64: Base64.encode([43])), by: .system
        ).value
        #expect(next.id > last.id)
    }

    @Test func exportArchiveAndImportCarryTheBytes() async throws {
        let fixture = try CollaborationFixture()
        let ids = try await Self.populate(fixture)
        let archive = try await fixture.engine.exportArchive()
        let blobs = try #require(archive["blobs"]?.objectValue)
        // Every live attachment's bytes once; not the deleted task's nor the deleted attachments'.
        let live = await fixture.engine.state.collaboration.referencedKeys.sorted()
        #expect(live.count == 9)
        #expect(blobs.keys.sorted() == live)
        for member in blobs.members {
            #expect(SHA256.hexDigest(Base64.decode(member.value.stringValue ?? "") ?? []) == member.key)
        }
        let parsed = try JSONParser.parse(JSONWriter.string(archive))

        let store = MemoryStore()
        let imported = try Engine.importDocument(parsed, into: store, clock: fixture.clock)
        let document = await fixture.engine.exportDocument()
        #expect(await imported.exportDocument() == document)
        #expect(try store.blobKeys() == live)
        let attachment = try #require(try await imported.attachments(ids[1]).attachments.first)
        #expect(try await imported.attachmentContent(attachment.id).contentBase64 == Base64.encode(pngBytes(1)))
        let recovered = try Engine.open(store: store, clock: fixture.clock)
        #expect(await recovered.exportDocument() == document)
        #expect(try store.blobKeys() == live)
    }

    @Test func importRefusesMissingOrWrongBytesAndTamperedComments() async throws {
        let fixture = try CollaborationFixture()
        _ = try await Self.populate(fixture)
        let archive = try await fixture.engine.exportArchive()
        guard case .object(var document) = archive, case .object(var blobs)? = document["blobs"],
            let firstKey = blobs.keys.first
        else {
            Issue.record("unexpected archive shape")
            return
        }
        // Without the bytes, an empty store cannot hold the attachments.
        let stateOnly = await fixture.engine.exportDocument()
        let lacking = await engineError { _ = try Engine.importDocument(stateOnly, into: MemoryStore()) }
        #expect(lacking == .damaged("the document lacks the bytes of blob \(try #require(lackingKey(stateOnly)))"))

        blobs[firstKey] = .string(Base64.encode([0]))
        document["blobs"] = .object(blobs)
        let wrong = await engineError { _ = try Engine.importDocument(.object(document), into: MemoryStore()) }
        guard case .damaged? = wrong else {
            Issue.record("expected damaged, got \(String(describing: wrong))")
            return
        }

        guard case .object(var tampered) = archive, case .array(var comments)? = tampered["comments"],
            case .object(var comment)? = comments.first
        else { return }
        comment["text"] = "Edited"
        comments[0] = .object(comment)
        tampered["comments"] = .array(comments)
        let edited = await engineError { _ = try Engine.importDocument(.object(tampered), into: MemoryStore()) }
        guard case .damaged? = edited else {
            Issue.record("expected damaged, got \(String(describing: edited))")
            return
        }
    }

    @Test func aSnapshotWhoseCommentsDisagreeWithItsCountsIsDamage() async throws {
        let state = EngineState()
        #expect(throws: Never.self) { _ = try EngineState(snapshot: state.snapshotBytes()) }
        // A version 1 header that promises a comment line that is not there.
        let version1 =
            #"{"format":"taskwire-engine-snapshot","version":1,"last_seq":0,"tasks":0,"events":0,"#
            + #""idempotency_keys":0,"users":0,"tokens":0,"comments":0,"attachments":0}"#
        #expect(throws: Never.self) { _ = try EngineState(snapshot: Array(version1.utf8)) }
        let promising = version1.replacingOccurrences(of: "\"comments\":0", with: "\"comments\":1")
        #expect(throws: EngineError.self) { _ = try EngineState(snapshot: Array(promising.utf8)) }
        // A version 2 snapshot with one comment more than its task counts.
        let fixture = try CollaborationFixture()
        let id = try await fixture.task()
        try await fixture.comment(id, "Hi")
        let bytes = await fixture.engine.state.snapshotBytes()
        let text = String(decoding: bytes, as: UTF8.self)
        let comment = try #require(text.split(separator: "\n").first { $0.hasPrefix(#"{"kind":"comment""#) })
        #expect(throws: Never.self) { _ = try EngineState(snapshot: bytes) }
        #expect(throws: EngineError.self) {
            _ = try EngineState(snapshot: Array((text + comment + "\n").utf8))
        }
        #expect(throws: EngineError.self) {
            _ = try EngineState(snapshot: Array(text.replacingOccurrences(of: comment + "\n", with: "").utf8))
        }
    }

    @Test func replayRefusesCollaborationEventsThatDoNotFit() async throws {
        let fixture = try CollaborationFixture(store: BlobFailingStore(on: .memory))
        let id = try await fixture.task()
        try await fixture.comment(id, "Hi")
        let records = try fixture.store.memory.records
        let comment = try Event(bytes: records[1])
        for broken in [
            { (event: inout Event) in event.version = 2 },
            { (event: inout Event) in event.detail = nil },
            { (event: inout Event) in event.detail = ["comment_id": "cmt_0"] },
            { (event: inout Event) in event.subject = .task(TaskID(raw: 1)) },
        ] {
            var event = comment
            broken(&event)
            let store = MemoryStore()
            _ = try store.append(records[0])
            _ = try store.append(event.bytes)
            #expect(throws: EngineError.self) { _ = try Engine.open(store: store) }
        }
    }
}

/// The smallest blob key a document's live attachments use, for the error an import without bytes gives.
private func lackingKey(_ document: JSONValue) -> String? {
    let tasks = document["tasks"]?.arrayValue ?? []
    let deleted = Set(tasks.filter { $0["deleted"] == true }.compactMap { $0["task_id"]?.stringValue })
    return (document["attachments"]?.arrayValue ?? [])
        .filter { !deleted.contains($0["task_id"]?.stringValue ?? "") }
        .compactMap { $0["sha256"]?.stringValue }.min()
}
