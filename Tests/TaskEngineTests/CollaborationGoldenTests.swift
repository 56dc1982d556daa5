import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// The reply shapes of comments, attachments and watchers, compared with the files in `Golden/` (field names
/// follow the spec's "Add Comment", "List Comments" and "Upload Attachment" examples).
@Suite(.closesTestStores)
struct CollaborationGoldenTests {
    @Test func replyShapes() async throws {
        let fixture = try CollaborationFixture()
        let engine = fixture.engine
        let id = try await fixture.task()
        fixture.clock.advance(seconds: 4 * 3600 + 2700)
        let bytes = pngBytes(16)
        let upload = try await fixture.upload(id, bytes, name: "screenshot.png")
        try GoldenTests.check(upload.json, "attachment_upload")
        try GoldenTests.check(try await engine.attachments(id).json, "attachments_list")
        try GoldenTests.check(try await engine.attachmentContent(upload.id).json, "attachment_get")

        fixture.clock.advance(seconds: 60)
        let comment = try await fixture.comment(
            id, "Contacted customer via email, waiting for response", mentions: ["user123"],
            attachments: [upload.id])
        try GoldenTests.check(comment.json, "comment_add")
        try await fixture.comment(id, "Customer replied", by: "user789")
        try GoldenTests.check(try await engine.comments(id).json(directory: fixture.directory), "comments_list")

        try GoldenTests.check(try await engine.watch(id, by: Caller(user: "user456")).value.json, "watch")
        try GoldenTests.check(try await engine.unwatch(id, by: Caller(user: "user456")).value.json, "unwatch")
        try GoldenTests.check(try await engine.deleteAttachment(upload.id, by: .system).value.json, "attachment_delete")
        try GoldenTests.check(try await engine.history(id).json, "collaboration_history")
    }

    @Test func errorShapes() async throws {
        let fixture = try CollaborationFixture(maxAttachmentBytes: 8)
        let id = try await fixture.task()
        var errors = JSONObject()
        func record(_ name: String, _ body: () async throws -> Void) async {
            errors.append(name, (await engineError(body))?.json ?? .null)
        }
        await record("attachment_not_found") {
            _ = try await fixture.engine.attachmentContent(try attachmentID("att_xyz789"))
        }
        await record("too_large") { try await fixture.upload(id, pngBytes(1)) }
        await record("invalid_base64") {
            _ = try await fixture.engine.uploadAttachment(
                NewAttachment(taskID: id, filename: "a", contentBase64: "not base64"), by: .system)
        }
        await record("empty_comment") { try await fixture.comment(id, "") }
        let janes = try await fixture.task("Jane's own task", by: "user456")
        await record("watch_someone_else") {
            _ = try await fixture.engine.watch(janes, userID: "user789", by: Caller(user: "user456", role: .member))
        }
        try GoldenTests.check(.object(errors), "collaboration_errors")
    }
}
