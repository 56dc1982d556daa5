import JSON
import JSONRPC
import StoreTestSupport
import TaskEngine
import TaskStore
import Testing

@testable import TaskwireServer

/// The comment, attachment and watcher handlers, called through a `MethodTable` with JSON params as a client
/// sends them.
@Suite(.closesTestStores)
struct CollaborationMethodsTests {
    let clock = ManualTimeSource("2024-01-15T10:00:00Z")
    let store: any Store
    let table: MethodTable

    init() async throws {
        store = try TestStore.make()
        let engine = try Engine.open(store: store, clock: clock, maxAttachmentBytes: 64)
        table = try MethodTable(
            TaskMethods.declarations(engine: engine) + CollaborationMethods.declarations(engine: engine))
    }

    func call(
        _ method: String, _ params: JSONValue?, as user: String = "user123"
    ) async -> Result<
        JSONValue, ResponseError
    > {
        await table.call(
            method, params,
            context: RequestContext(connectionID: 1, user: UserID(user), role: user == "system" ? .admin : .member))
    }

    func result(_ method: String, _ params: JSONValue?, as user: String = "user123") async throws -> JSONValue {
        try await call(method, params, as: user).get()
    }

    /// The wire error's code, `data.error` and `data.field` (or `nil` members when absent).
    func failure(_ method: String, _ params: JSONValue?, as user: String = "user123") async -> [String?] {
        guard case .failure(let error) = await call(method, params, as: user) else { return ["no error"] }
        let data = error.data
        return [String(error.code), data?["error"]?.stringValue, data?["field"]?.stringValue]
    }

    func task() async throws -> String {
        try #require(try await result("tasks.create", ["title": "Review customer complaint"])["task_id"]?.stringValue)
    }

    @Test func registersEveryCollaborationMethod() {
        for name in [
            "tasks.comments.add", "tasks.comments.list", "tasks.attachments.upload", "tasks.attachments.list",
            "tasks.attachments.get", "tasks.attachments.delete", "tasks.watch", "tasks.unwatch",
        ] {
            #expect(table.declaration(for: name) != nil, "\(name)")
        }
    }

    @Test func commentsThroughTheHandlers() async throws {
        let id = try await task()
        clock.advance(seconds: 60)
        let added = try await result(
            "tasks.comments.add", ["task_id": .string(id), "text": "Contacted customer", "mentions": ["user456"]])
        #expect(added["author"] == "user123")
        #expect(added["task_id"] == .string(id))
        #expect(added["created_at"] == "2024-01-15T10:01:00Z")
        #expect(added["comment_id"]?.stringValue?.hasPrefix("cmt_") == true)
        let listed = try await result("tasks.comments.list", ["task_id": .string(id), "limit": 5])
        #expect(listed["total"] == 1 && listed["page"] == 1 && listed["limit"] == 5)
        #expect(listed["comments"]?.arrayValue?.first?["author"] == ["user_id": "user123"])
        let task = try await result("tasks.get", ["task_id": .string(id)])
        #expect(task["comments_count"] == 1 && task["version"] == 1)

        #expect(await failure("tasks.comments.add", ["task_id": .string(id)]) == ["-32602", "invalid_params", "text"])
        #expect(
            await failure("tasks.comments.add", ["task_id": .string(id), "text": "x", "mentions": [1]])
                == ["-32602", "invalid_params", "mentions"])
        #expect(
            await failure("tasks.comments.add", ["task_id": .string(id), "text": "x", "txt": "typo"])
                == ["-32602", "invalid_params", "txt"])
        #expect(
            await failure("tasks.comments.add", ["task_id": .string(id), "text": "x", "attachments": ["att_1"]])
                == ["404", "attachment_not_found", nil])
        #expect(
            await failure("tasks.comments.add", ["task_id": "tsk_xyz789", "text": "x"]) == [
                "404", "task_not_found", nil,
            ])
        #expect(
            await failure("tasks.comments.list", ["task_id": .string(id), "page": 0]) == [
                "-32602", "invalid_params", "page",
            ])
    }

    @Test func attachmentsThroughTheHandlers() async throws {
        let id = try await task()
        let content = Base64.encode(Array("{\"ok\": true}".utf8))
        let uploaded = try await result(
            "tasks.attachments.upload",
            ["task_id": .string(id), "filename": "report.json", "content_base64": .string(content)])
        #expect(uploaded["mime_type"] == "application/json")
        #expect(uploaded["size_bytes"] == 12)
        #expect(uploaded["uploaded_by"] == "user123")
        let attachmentID = try #require(uploaded["attachment_id"]?.stringValue)
        let fetched = try await result("tasks.attachments.get", ["attachment_id": .string(attachmentID)])
        #expect(fetched["content_base64"] == .string(content))
        let listed = try await result("tasks.attachments.list", ["task_id": .string(id)])
        #expect(listed["total"] == 1)
        #expect(listed["attachments"]?.arrayValue?.first?["attachment_id"] == .string(attachmentID))
        #expect(try await result("tasks.get", ["task_id": .string(id)])["attachments_count"] == 1)

        let upload: JSONObject = ["task_id": .string(id), "filename": "a.bin"]
        func with(_ field: String, _ value: JSONValue) -> JSONValue {
            var params = upload
            params[field] = value
            return .object(params)
        }
        #expect(
            await failure("tasks.attachments.upload", with("content_base64", "@@@@")) == [
                "-32602", "invalid_params", "content_base64",
            ])
        #expect(
            await failure(
                "tasks.attachments.upload",
                with("content_base64", .string(Base64.encode(Array(repeating: 0, count: 65)))))
                == ["413", "too_large", "content_base64"])
        #expect(
            await failure("tasks.attachments.upload", .object(upload)) == [
                "-32602", "invalid_params", "content_base64",
            ])
        #expect(
            await failure("tasks.attachments.upload", with("content_base64", 5)) == [
                "-32602", "invalid_params", "content_base64",
            ])
        #expect(
            await failure("tasks.attachments.get", ["attachment_id": "att_xyz789"]) == [
                "404", "attachment_not_found", nil,
            ])
        #expect(await failure("tasks.attachments.get", [:]) == ["-32602", "invalid_params", "attachment_id"])

        let deleted = try await result("tasks.attachments.delete", ["attachment_id": .string(attachmentID)])
        #expect(deleted == ["deleted": true, "attachment_id": .string(attachmentID), "task_id": .string(id)])
        #expect(
            await failure("tasks.attachments.delete", ["attachment_id": .string(attachmentID)]) == [
                "404", "attachment_not_found", nil,
            ])
        #expect(try store.blobKeys().isEmpty)
    }

    @Test func watchersThroughTheHandlers() async throws {
        let id = try await task()
        let watched = try await result("tasks.watch", ["task_id": .string(id)])
        #expect(
            watched == [
                "task_id": .string(id), "user_id": "user123", "watching": true, "changed": true,
                "watchers": ["user123"],
            ])
        #expect(try await result("tasks.watch", ["task_id": .string(id)])["changed"] == false)
        #expect(
            await failure("tasks.watch", ["task_id": .string(id), "user_id": "user456"]) == [
                "403", "permission_denied", nil,
            ])
        let byAdmin = try await result("tasks.watch", ["task_id": .string(id), "user_id": "user456"], as: "system")
        #expect(byAdmin["watchers"] == ["user123", "user456"])
        let unwatched = try await result("tasks.unwatch", ["task_id": .string(id)])
        #expect(unwatched["watchers"] == ["user456"] && unwatched["watching"] == false)
        #expect(try await result("tasks.get", ["task_id": .string(id)])["watchers"] == ["user456"])
        #expect(
            await failure("tasks.watch", ["task_id": .string(id), "user_id": 7]) == [
                "-32602", "invalid_params", "user_id",
            ])
        #expect(await failure("tasks.unwatch", ["task_id": "tsk_xyz789"]) == ["404", "task_not_found", nil])
    }
}
