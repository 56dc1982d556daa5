import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// Comments, attachments and watchers through the engine alone.
@Suite(.closesTestStores)
struct CollaborationTests {
    // MARK: Comments

    @Test func commentsAreListedOldestFirstWithAuthorsExpanded() async throws {
        let fixture = try CollaborationFixture()
        let id = try await fixture.task()
        let first = try await fixture.comment(id, "Contacted customer via email", mentions: ["user123", "user123"])
        fixture.clock.advance(seconds: 60)
        let second = try await fixture.comment(id, "Customer replied", by: "user789")
        #expect(first.mentions == ["user123"])
        #expect(first.author == "user456")
        #expect(second.id > first.id)
        #expect(first.id.description.hasPrefix("cmt_") && first.id.description.utf8.count == 17)

        let page = try await fixture.engine.comments(id)
        #expect(page.total == 2)
        #expect(page.comments.map(\.id) == [first.id, second.id])
        let items = try #require(page.json(directory: fixture.directory)["comments"]?.arrayValue)
        #expect(items.map { $0["author"] } == [["user_id": "user456", "name": "Jane Smith"], ["user_id": "user789"]])

        let secondPage = try await fixture.engine.comments(id, page: 2, limit: 1)
        #expect(secondPage.comments.map(\.id) == [second.id])
        #expect(secondPage.total == 2)
        #expect(try await fixture.engine.comments(id, page: 3, limit: 1).comments.isEmpty)
    }

    @Test func commentsCountButLeaveVersionAndUpdateTimeAlone() async throws {
        let fixture = try CollaborationFixture()
        let id = try await fixture.task()
        let before = try await fixture.engine.task(id)
        fixture.clock.advance(seconds: 600)
        try await fixture.comment(id, "One")
        try await fixture.comment(id, "Two")
        let after = try await fixture.engine.task(id)
        #expect(after.commentsCount == 2)
        #expect(after.version == before.version)
        #expect(after.updatedAt == before.updatedAt)
        // An if_version guard taken before the comments still holds.
        var patch = TaskPatch()
        patch.progress = 10
        _ = try await fixture.engine.update(id, patch, ifVersion: before.version, by: .system)
    }

    @Test func commentValidation() async throws {
        let fixture = try CollaborationFixture()
        let id = try await fixture.task()
        let other = try await fixture.task("Other")
        let foreign = try await fixture.upload(other, pngBytes())

        func failure(_ body: () async throws -> Void) async -> JSONValue? { await engineError(body)?.json }
        #expect(await failure { try await fixture.comment(id, " \n") }?["field"] == "text")
        #expect(
            await failure {
                try await fixture.comment(id, String(repeating: "é", count: CollaborationLimits.commentLength + 1))
            }?["field"] == "text")
        _ = try await fixture.comment(id, String(repeating: "é", count: CollaborationLimits.commentLength))
        #expect(await failure { try await fixture.comment(id, "Hi", mentions: [""]) }?["field"] == "mentions")
        let tooMany = (0...CollaborationLimits.mentionCount).map { UserID("user\($0)") }
        #expect(await failure { try await fixture.comment(id, "Hi", mentions: tooMany) }?["field"] == "mentions")
        let unknown = await engineError { try await fixture.comment(id, "See", attachments: [AttachmentID(raw: 0)]) }
        #expect(unknown == .attachmentNotFound("att_0000000000000"))
        let wrongTask = await engineError { try await fixture.comment(id, "See", attachments: [foreign.id]) }
        #expect(wrongTask == .attachmentNotFound(foreign.id.description))
        let missing = await engineError { try await fixture.comment(try taskID("tsk_xyz789"), "Hi") }
        #expect(missing == .taskNotFound("tsk_xyz789"))
        #expect(await failure { _ = try await fixture.engine.comments(id, page: 0) }?["field"] == "page")
        #expect(await failure { _ = try await fixture.engine.comments(id, limit: 201) }?["field"] == "limit")
        // Nothing refused was recorded.
        #expect(try await fixture.engine.task(id).commentsCount == 1)
    }

    @Test func aCommentMayReferToAttachmentsOfItsTask() async throws {
        let fixture = try CollaborationFixture()
        let id = try await fixture.task()
        let attachment = try await fixture.upload(id, pngBytes(), name: "screenshot.png")
        let comment = try await fixture.comment(id, "See the screenshot", attachments: [attachment.id, attachment.id])
        #expect(comment.attachments == [attachment.id])
    }

    // MARK: Attachments

    @Test func uploadStoresTheBytesOnceUnderTheirDigest() async throws {
        let fixture = try CollaborationFixture()
        let id = try await fixture.task()
        let bytes = pngBytes(100)
        let first = try await fixture.upload(id, bytes, name: "screenshot.png")
        let second = try await fixture.upload(id, bytes, name: "copy.png")
        #expect(first.sha256 == SHA256.hexDigest(bytes))
        #expect(first.sizeBytes == bytes.count)
        #expect(first.mimeType == "image/png")
        #expect(first.id.description.hasPrefix("att_") && second.id > first.id)
        #expect(try fixture.store.blobKeys() == [first.sha256])
        #expect(try await fixture.engine.task(id).attachmentsCount == 2)
        #expect(try await fixture.engine.attachments(id).attachments.map(\.id) == [first.id, second.id])

        let content = try await fixture.engine.attachmentContent(first.id)
        #expect(Base64.decode(content.contentBase64) == bytes)
        #expect(content.attachment == first)

        // The bytes stay while another attachment uses them, and go with the last one.
        _ = try await fixture.engine.deleteAttachment(first.id, by: .system)
        #expect(try fixture.store.blobKeys() == [first.sha256])
        #expect(
            await engineError { _ = try await fixture.engine.attachmentContent(first.id) }
                == .attachmentNotFound(first.id.description))
        _ = try await fixture.engine.deleteAttachment(second.id, by: .system)
        #expect(try fixture.store.blobKeys().isEmpty)
        #expect(try await fixture.engine.task(id).attachmentsCount == 0)
        #expect(
            await engineError { _ = try await fixture.engine.deleteAttachment(second.id, by: .system) }
                == .attachmentNotFound(second.id.description))
    }

    @Test func aGivenMimeTypeIsKeptAndABadOneRefused() async throws {
        let fixture = try CollaborationFixture()
        let id = try await fixture.task()
        let given = try await fixture.upload(id, Array("a,b\n1,2\n".utf8), mimeType: "text/csv; charset=utf-8")
        #expect(given.mimeType == "text/csv; charset=utf-8")
        let detected = try await fixture.upload(id, Array("a,b\n1,2\n".utf8))
        #expect(detected.mimeType == "text/plain")
        for bad in ["png", "image/", "/png", "image/png/x", "image/pn g", "imäge/png"] {
            let error = await engineError { try await fixture.upload(id, [1], mimeType: bad) }
            #expect(error?.json["field"] == "mime_type", "\(bad)")
        }
    }

    @Test func uploadValidation() async throws {
        let fixture = try CollaborationFixture(maxAttachmentBytes: 16)
        let id = try await fixture.task()
        func upload(_ text: String, name: String = "a.txt") async -> EngineError? {
            await engineError {
                _ = try await fixture.engine.uploadAttachment(
                    NewAttachment(taskID: id, filename: name, contentBase64: text), by: .system)
            }
        }
        #expect(await upload("aGVsbG8")?.json["field"] == "content_base64")
        #expect(await upload("aGVs bG8=")?.json["field"] == "content_base64")
        #expect(
            await upload(Base64.encode(Array(repeating: 1, count: 17))) == .tooLarge(field: "content_base64", limit: 16)
        )
        #expect(await upload(String(repeating: "A", count: 4000)) == .tooLarge(field: "content_base64", limit: 16))
        _ = try await fixture.upload(id, Array(repeating: 1, count: 16))
        #expect(await upload("aGk=", name: "")?.json["field"] == "filename")
        #expect(await upload("aGk=", name: String(repeating: "a", count: 256))?.json["field"] == "filename")
        #expect(await upload("aGk=", name: "a\u{0}b")?.json["field"] == "filename")
        #expect(await upload("aGk=", name: "line\nbreak")?.json["field"] == "filename")
        // A slash is only text: the name never reaches the file system.
        _ = try await fixture.upload(id, [1], name: "../../etc/passwd")
        #expect(
            await engineError { try await fixture.upload(try taskID("tsk_xyz789"), [1]) } == .taskNotFound("tsk_xyz789")
        )
        #expect(try await fixture.engine.task(id).attachmentsCount == 2)
    }

    @Test func aFailedBlobWriteRecordsNothing() async throws {
        let fixture = try CollaborationFixture()
        let id = try await fixture.task()
        let before = await fixture.engine.exportDocument()
        fixture.store.setFailBlobWrites(true)
        let error = await engineError { try await fixture.upload(id, pngBytes()) }
        #expect(error?.name == "unavailable")
        #expect(await fixture.engine.exportDocument() == before)
        #expect(try fixture.store.blobKeys().isEmpty)
        fixture.store.setFailBlobWrites(false)
        _ = try await fixture.upload(id, pngBytes())
    }

    @Test func aRefusedAppendLeavesStateAndBlobsUnchanged() async throws {
        let fixture = try CollaborationFixture(store: BlobFailingStore(on: .memory))
        let id = try await fixture.task()
        let kept = try await fixture.upload(id, [1, 2, 3])
        let before = await fixture.engine.exportDocument()
        let full = StoreError(code: .diskFull, message: "The disk is full.")
        for attempt in 0..<4 {
            try fixture.store.memory.failNextAppend(with: full)
            let error = await engineError {
                switch attempt {
                case 0: try await fixture.upload(id, [9, 9, 9])
                case 1: try await fixture.comment(id, "Lost")
                case 2: _ = try await fixture.engine.watch(id, by: .system)
                default: _ = try await fixture.engine.deleteAttachment(kept.id, by: .system)
                }
            }
            #expect(error?.name == "unavailable", "attempt \(attempt)")
            #expect(await fixture.engine.exportDocument() == before, "attempt \(attempt)")
        }
        // The upload's bytes were reclaimed; the kept attachment's were not.
        await drainBlobQueue(fixture.engine)
        #expect(try fixture.store.blobKeys() == [kept.sha256])
    }

    @Test func startUpReclaimsBytesNoLiveAttachmentUses() async throws {
        let fixture = try CollaborationFixture()
        let id = try await fixture.task()
        let keep = try await fixture.task("Keep")
        let dropped = try await fixture.upload(id, [1, 2, 3])
        let kept = try await fixture.upload(keep, [4, 5, 6])
        let orphan = SHA256.hexDigest([7, 8, 9])
        try fixture.store.putBlob(key: orphan, bytes: [7, 8, 9])
        _ = try await fixture.engine.delete(id, by: .system)
        let reopened = try fixture.reopen()
        #expect(try fixture.store.blobKeys() == [kept.sha256])
        #expect(
            await engineError { _ = try await reopened.attachmentContent(dropped.id) }
                == .attachmentNotFound(dropped.id.description))
        #expect(try await reopened.attachmentContent(kept.id).contentBase64 == Base64.encode([4, 5, 6]))
    }

    // MARK: Watchers

    @Test func aMemberAddedByAnAdministratorMayStopWatchingAnotherUsersTask() async throws {
        let fixture = try CollaborationFixture()
        let id = try await fixture.task(by: "user123")
        let bob = Caller(user: "bob", role: .member)
        #expect(await engineError { _ = try await fixture.engine.watch(id, by: bob) }?.name == "permission_denied")
        _ = try await fixture.engine.watch(id, userID: "bob", by: .system)
        let removed = try await fixture.engine.unwatch(id, by: bob).value
        #expect(removed.changed && !removed.watching && removed.watchers.isEmpty)
        #expect(
            await engineError { _ = try await fixture.engine.unwatch(id, userID: "user123", by: bob) }?.name
                == "permission_denied")
    }

    @Test func watchingIsIdempotentAndLimitedToOneselfForMembers() async throws {
        let fixture = try CollaborationFixture()
        let id = try await fixture.task(by: "user456")
        let jane = Caller(user: "user456", role: .member)
        let watched = try await fixture.engine.watch(id, by: jane).value
        #expect(
            watched == WatchResult(taskID: id, userID: "user456", watching: true, changed: true, watchers: ["user456"]))
        let seq = await fixture.engine.lastSeq
        let again = try await fixture.engine.watch(id, userID: "user456", by: jane).value
        #expect(!again.changed && again.watchers == ["user456"])
        #expect(await fixture.engine.lastSeq == seq)

        let denied = await engineError { _ = try await fixture.engine.watch(id, userID: "user789", by: jane) }
        #expect(denied?.name == "permission_denied")
        let added = try await fixture.engine.watch(id, userID: "user789", by: .system).value
        #expect(added.watchers == ["user456", "user789"])
        #expect(
            await engineError { _ = try await fixture.engine.unwatch(id, userID: "user789", by: jane) }?.name
                == "permission_denied")

        let removed = try await fixture.engine.unwatch(id, by: jane).value
        #expect(removed.watchers == ["user789"] && removed.changed && !removed.watching)
        #expect(!(try await fixture.engine.unwatch(id, by: jane).value.changed))
        let task = try await fixture.engine.task(id)
        #expect(task.watchers == ["user789"])
        #expect(task.version == 1)
        #expect(
            await engineError { _ = try await fixture.engine.watch(id, userID: "", by: .system) }?.json["field"]
                == "user_id")
    }

    // MARK: Events and history

    @Test func collaborationChangesAreEventsInHistoryAndTheFeed() async throws {
        let fixture = try CollaborationFixture()
        let id = try await fixture.task()
        try await fixture.durable()
        let stream = await fixture.engine.subscribe()
        let attachment = try await fixture.upload(id, pngBytes())
        let comment = try await fixture.comment(id, "Done", attachments: [attachment.id])
        _ = try await fixture.engine.watch(id, by: .system)
        _ = try await fixture.engine.unwatch(id, by: .system)
        _ = try await fixture.engine.deleteAttachment(attachment.id, by: .system)
        var received: [Event] = []
        for await event in stream {
            received.append(event)
            if received.count == 5 { break }
        }
        let types: [EventType] = [
            .attachmentAdded, .commentAdded, .watcherAdded, .watcherRemoved, .attachmentDeleted,
        ]
        #expect(received.map(\.type) == types)
        #expect(received[1].detail == comment.json)
        #expect(received[0].detail == attachment.json)
        #expect(received[2].detail == "system")
        #expect(received.allSatisfy { $0.version == 1 })
        let history = try await fixture.engine.history(id)
        #expect(history.events.map(\.type) == [.taskCreated] + types)
        #expect(history.events[2].historyJSON["comment"] == comment.json)
        #expect(history.events[2].changes == ["comments_count": ["old": 0, "new": 1]])
        #expect(history.events[3].changes == ["watchers": ["old": [], "new": ["system"]]])
        // The journal record carries the subject too, so it replays.
        #expect(try Event(bytes: received[1].bytes) == received[1])
    }

    @Test func deletedTasksHideTheirCommentsAndAttachments() async throws {
        let fixture = try CollaborationFixture()
        let id = try await fixture.task()
        let attachment = try await fixture.upload(id, [1])
        try await fixture.comment(id, "Hi")
        _ = try await fixture.engine.delete(id, by: .system)
        #expect(await engineError { _ = try await fixture.engine.comments(id) } == .taskNotFound(id.description))
        #expect(await engineError { _ = try await fixture.engine.attachments(id) } == .taskNotFound(id.description))
        #expect(
            await engineError { _ = try await fixture.engine.attachmentContent(attachment.id) }
                == .attachmentNotFound(attachment.id.description))
        #expect(
            await engineError { _ = try await fixture.engine.watch(id, by: .system) } == .taskNotFound(id.description))
    }
}

/// Returns once every blob job queued so far (writes, reclaims) has run: the queue is first in, first out.
func drainBlobQueue(_ engine: Engine) async {
    await engine.blobQueue.run {}
}
