import JSON
import JSONRPC
import PostgresStore
import TaskEngine
import TaskStore
import TestSupport
import Testing

@testable import TaskwireServer

/// One scenario over every domain (users and tokens, tasks, comments, attachments, watchers, templates,
/// automations, workflows, notifications, published events), through the server's method table on each
/// store the engine writes through: memory, a data directory and PostgreSQL (when the test server runs).
/// Every backend must give the same replies, and an engine recovered from what each stored must hold the
/// same data and answer the same reads: the engine's domains write through one `Store` interface.
struct EveryBackendTests {
    enum Backend: String, CaseIterable, Sendable {
        case memory, directory, postgres
    }

    /// A store of `backend`, and how to open it again from what it stored.
    final class Opened {
        let store: any Store
        let reopen: () throws -> any Store
        let cleanUp: () -> Void

        init(store: any Store, reopen: @escaping () throws -> any Store, cleanUp: @escaping () -> Void = {}) {
            self.store = store
            self.reopen = reopen
            self.cleanUp = cleanUp
        }
    }

    static func open(_ backend: Backend) async throws -> Opened {
        switch backend {
        case .memory:
            let store = MemoryStore()
            return Opened(store: store, reopen: { store })
        case .directory:
            let directory = try TemporaryDirectory()
            let path = directory.appending("data")
            return Opened(
                store: try FileStore.open(directory: path), reopen: { try FileStore.open(directory: path) },
                cleanUp: { directory.remove() })
        case .postgres:
            let conninfo = try await PostgresScratch.createDatabase()
            _ = try PostgresBackend.migrate(conninfo: conninfo)
            var options = PostgresStoreOptions()
            options.onWarning = { _ in }
            return Opened(
                store: try PostgresBackend.open(conninfo: conninfo, options: options),
                reopen: { try PostgresBackend.open(conninfo: conninfo, options: options) })
        }
    }

    static let bob = RequestContext(connectionID: 2, user: UserID("bob"), role: .member)

    /// Runs `method` and returns `{"result": …}` or `{"error": …}`, without the secrets a server makes at
    /// random (a token's text, a webhook secret).
    static func call(
        _ table: MethodTable, _ method: String, _ params: JSONValue?,
        as context: RequestContext = RequestContext(connectionID: 1)
    ) async -> JSONValue {
        switch await table.call(method, params, context: context) {
        case .success(let result):
            guard case .object(var object) = result else { return ["result": result] }
            object["token"] = nil
            object["webhook_secret"] = nil
            return ["result": .object(object)]
        case .failure(let error): return ["error": error.json]
        }
    }

    /// `value` without its `hash` members: a token's hash differs with the random token it was made from.
    static func withoutHashes(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            .object(JSONObject(object.members.filter { $0.key != "hash" }.map { ($0.key, withoutHashes($0.value)) }))
        case .array(let items): .array(items.map(withoutHashes))
        default: value
        }
    }

    /// The writes of the scenario, in order, with their replies.
    static func writes(_ table: MethodTable) async -> [JSONValue] {
        var replies: [JSONValue] = []
        func run(
            _ method: String, _ params: JSONValue, as context: RequestContext = RequestContext(connectionID: 1)
        )
            async -> JSONValue
        {
            let reply = await call(table, method, params, as: context)
            replies.append(.object(JSONObject([(key: method, value: reply)])))
            return reply["result"] ?? .null
        }
        _ = await run(
            "users.upsert", ["user_id": "ann", "name": "Ann Lee", "email": "ann@example.com", "role": "member"])
        _ = await run("users.upsert", ["user_id": "bob", "name": "Bob", "email": "bob@example.com", "role": "member"])
        _ = await run("auth.tokens.create", ["user_id": "ann", "label": "ann's bot"])
        _ = await run(
            "templates.create",
            ["name": "Follow-up", "template_id": "tpl_followup", "title_template": "Follow up on {{title}}"])
        _ = await run(
            "automations.create",
            [
                "name": "Follow up high priority work",
                "trigger": ["type": "task_event", "event": "task_completed", "conditions": ["priority": "high"]],
                "action": ["type": "create_task", "template": "tpl_followup"],
            ])
        _ = await run("notifications.configure", ["user_id": "bob", "events": ["task_assigned", "comment_added"]])
        let first = await run(
            "tasks.create", ["title": "Call the customer", "tags": ["phone"], "idempotency_key": "k1"])
        _ = await run("tasks.create", ["title": "Call the customer", "tags": ["phone"], "idempotency_key": "k1"])
        let urgent = await run("tasks.create", ["title": "Refund order 7", "priority": "high", "assignee": "bob"])
        let third = await run("tasks.create", ["title": "Write the report", "due_date": "2024-02-01T00:00:00Z"])
        let doomed = await run("tasks.create", ["title": "Nobody needs this"])
        let firstID = first["task_id"] ?? .null
        _ = await run("tasks.update", ["task_id": firstID, "status": "in_progress", "if_version": 1])
        _ = await run("tasks.update", ["task_id": firstID, "progress": 50, "if_version": 1])
        _ = await run("tasks.comments.add", ["task_id": firstID, "text": "@bob please look"])
        _ = await run(
            "tasks.attachments.upload",
            ["task_id": firstID, "filename": "notes.txt", "content_base64": "aGVsbG8sIHdvcmxkCg=="])
        _ = await run("tasks.watch", ["task_id": third["task_id"] ?? .null, "user_id": "ann"])
        _ = await run("tasks.update", ["task_id": third["task_id"] ?? .null, "assignee": "bob"])
        _ = await run("tasks.update", ["task_id": urgent["task_id"] ?? .null, "status": "in_progress"], as: bob)
        _ = await run("tasks.complete", ["task_id": urgent["task_id"] ?? .null, "resolution": "Refunded"], as: bob)
        _ = await run(
            "tasks.create_from_template", ["template_id": "tpl_followup", "variables": ["title": "the call"]])
        _ = await run(
            "workflows.create",
            [
                "name": "Onboarding",
                "steps": [
                    ["name": "Account", "assignee": "ann"],
                    ["name": "Training", "assignee": "bob", "depends_on": ["Account"]],
                ],
            ])
        _ = await run("events.publish", ["type": "conversation_tag", "value": "vip"])
        _ = await run("notifications.mark_read", ["all": true], as: bob)
        _ = await run("tasks.delete", ["task_id": doomed["task_id"] ?? .null])
        return replies
    }

    /// What the scenario's data reads as afterwards.
    static func reads(_ table: MethodTable) async -> [JSONValue] {
        let listed = await call(table, "tasks.list", ["limit": 100, "sort": "created_at"])
        let ids = (listed["result"]?["tasks"]?.arrayValue ?? []).compactMap { $0["task_id"] }
        var replies = [listed]
        for id in ids {
            replies.append(await call(table, "tasks.get", ["task_id": id]))
            replies.append(await call(table, "tasks.history", ["task_id": id]))
            replies.append(await call(table, "tasks.comments.list", ["task_id": id]))
            let attachments = await call(table, "tasks.attachments.list", ["task_id": id])
            replies.append(attachments)
            for attachment in attachments["result"]?["attachments"]?.arrayValue ?? [] {
                replies.append(
                    await call(table, "tasks.attachments.get", ["attachment_id": attachment["attachment_id"] ?? .null]))
            }
        }
        for method in ["templates.list", "automations.list", "workflows.list", "users.list", "auth.tokens.list"] {
            replies.append(await call(table, method, nil))
        }
        replies.append(await call(table, "notifications.list", nil, as: bob))
        replies.append(await call(table, "events.since", ["limit": 1_000]))
        return replies
    }

    static func table(on store: any Store) throws -> (Engine, MethodTable) {
        let engine = try Engine.open(store: store, clock: ManualTimeSource("2024-01-15T10:00:00Z"))
        let table = try MethodTable.product(
            info: ServerInfo(transports: [], dataDirectory: nil, durability: "always"), engine: engine)
        return (engine, table)
    }

    @Test func oneScenarioGivesTheSameRepliesOnEveryBackendAndSurvivesReopening() async throws {
        let backends = Backend.allCases.filter { $0 != .postgres || PostgresScratch.host != nil }
        var outcomes: [(backend: Backend, writes: [JSONValue], reads: [JSONValue], export: JSONValue)] = []
        for backend in backends {
            let opened = try await Self.open(backend)
            defer { opened.cleanUp() }
            let (engine, table) = try Self.table(on: opened.store)
            let writes = await Self.writes(table)
            let reads = await Self.reads(table)
            let export = await engine.exportDocument()
            try await opened.store.barrier().wait()
            opened.store.close()

            let store = try opened.reopen()
            defer { store.close() }
            let (recovered, again) = try Self.table(on: store)
            #expect(await recovered.exportDocument() == export, "\(backend): the recovered engine holds other data")
            #expect(await Self.reads(again) == reads, "\(backend): the recovered engine reads differently")
            outcomes.append((backend, writes, reads, export))
        }
        let reference = try #require(outcomes.first)
        // Only the update with a stale version is refused.
        let refused = reference.writes.compactMap { write -> String? in
            guard let member = write.objectValue?.members.first, member.value["error"] != nil else { return nil }
            return member.key
        }
        #expect(refused == ["tasks.update"], "\(reference.writes)")
        for outcome in outcomes.dropFirst() {
            #expect(outcome.writes == reference.writes, "\(outcome.backend) answers the writes differently")
            #expect(outcome.reads == reference.reads, "\(outcome.backend) reads differently")
            #expect(
                Self.withoutHashes(outcome.export) == Self.withoutHashes(reference.export),
                "\(outcome.backend) exports differently")
        }
    }
}
