import JSON
import JSONRPC
import Locking
import TaskEngine
import TaskStore
import TaskwireLog
import TestSupport
import Testing

@testable import TaskwireServer

/// `events.subscribe`, `events.unsubscribe` and `events.since` through the method table, with a store whose
/// tickets the test completes by hand and a connection whose notifications land in an inbox.
struct EventsMethodsTests {
    let clock = ManualTimeSource("2024-01-15T10:00:00Z")
    let store = HeldStore()
    let engine: Engine
    let hub: EventHub
    let table: MethodTable
    let inbox = FrameInbox()
    /// What the fake connection reports as queued and unread by its peer.
    let unwritten = UnreadBytes()
    /// What the hub logged.
    let log = LogCapture()

    init(retention: Int = 1_000, maxHeldEvents: Int = 10_000, maxUnwrittenBytes: Int = 1 << 20) throws {
        engine = try Engine.open(store: store, clock: clock)
        let log = self.log
        hub = EventHub(
            engine: engine,
            limits: EventHub.Limits(
                retention: retention, maxHeldEvents: maxHeldEvents, maxUnwrittenBytes: maxUnwrittenBytes),
            logger: Logger(label: "events") { log.append($0) })
        table = try MethodTable(TaskMethods.declarations(engine: engine) + EventsMethods.declarations(hub: hub))
    }

    func context(_ user: UserID = "system", role: Role = .admin, connection: UInt64 = 1) -> RequestContext {
        var context = RequestContext(connectionID: connection, user: user, role: role)
        let inbox = self.inbox
        let unwritten = self.unwritten
        context.outbound = RequestContext.Outbound(
            send: { body in
                inbox.push(body)
                return true
            },
            unwrittenBytes: { unwritten.value.withLock { $0 } })
        return context
    }

    func call(
        _ method: String, _ params: JSONValue?, as context: RequestContext? = nil
    ) async -> Result<
        JSONValue, ResponseError
    > {
        await table.call(method, params, context: context ?? self.context())
    }

    /// Calls a method whose reply waits on no write of its own.
    func result(_ method: String, _ params: JSONValue?, as context: RequestContext? = nil) async throws -> JSONValue {
        try await call(method, params, as: context).get()
    }

    /// Creates a task and makes it durable at once.
    @discardableResult
    func create(_ params: JSONValue) async throws -> String {
        let reply = try await createHeld(params)
        store.release(through: store.appended)
        return try await reply.value
    }

    /// Makes a write and makes it durable at once.
    func write(_ method: String, _ params: JSONValue) async throws -> JSONValue {
        let before = store.appended
        let (table, context) = (self.table, self.context())
        let task = Task { try await table.call(method, params, context: context).get() }
        while store.appended == before { await Task.yield() }
        store.release(through: store.appended)
        return try await task.value
    }

    /// Whether nothing was sent: checked after ``EventHub/drain()``, when every delivery has been made.
    func nothingSent() async -> Bool {
        (try? await inbox.next(timeout: .milliseconds(1), what: "nothing")) == nil
    }

    /// Starts a create whose commit stays not durable until the test releases it.
    func createHeld(_ params: JSONValue) async throws -> Task<String, any Error> {
        let before = store.appended
        let table = self.table
        let context = self.context()
        let task = Task {
            let created = try await table.call("tasks.create", params, context: context).get()
            return try #require(created["task_id"]?.stringValue)
        }
        // The handler has committed once the store saw the append.
        while store.appended == before { await Task.yield() }
        return task
    }

    func next(_ what: String) async throws -> JSONValue {
        let frame = try #require(try await inbox.next(timeout: .seconds(60), what: what))
        return try JSONParser.parse(frame)
    }

    @Test func eventsReachASubscriberOnlyOnceTheirCommitIsDurable() async throws {
        let subscribed = try await result("events.subscribe", [:])
        let id = try #require(subscribed["subscription_id"]?.stringValue)
        let pending = try await createHeld(["title": "Not durable yet"])
        await hub.drain()
        #expect(engine.feed.publishedSeq == 0)
        #expect(await nothingSent())
        store.release(through: 1)
        let taskID = try await pending.value
        let notification = try await next("the event after the sync")
        #expect(notification["method"] == "events.event")
        #expect(notification["params"]?["subscription_id"] == .string(id))
        #expect(notification["params"]?["cursor"] == "evt_00000000000000010000")
        #expect(notification["params"]?["event"]?["type"] == "task_created")
        #expect(notification["params"]?["event"]?["object"]?["task_id"] == .string(taskID))
    }

    @Test func sinceReplaysThenGoesLiveWithoutGapOrDuplicate() async throws {
        try await create(["title": "one"])
        try await create(["title": "two"])
        let subscribed = try await result("events.subscribe", ["since": "evt_00000000000000010000"])
        #expect(subscribed["cursor"] == "evt_00000000000000010000")
        try await create(["title": "three"])
        var seqs: [String] = []
        for _ in 0..<2 { seqs.append(try await next("an event")["params"]?["cursor"]?.stringValue ?? "") }
        #expect(seqs == ["evt_00000000000000020000", "evt_00000000000000030000"])
        await hub.drain()
        #expect(await nothingSent())
    }

    @Test func filtersNarrowWhatIsSent() async throws {
        _ = try await result(
            "events.subscribe", ["types": ["task_created"], "filter": ["bot_id": "bot-7", "tags": ["vip", "x"]]])
        try await create(["title": "other bot", "context": ["bot_id": "bot-8"], "tags": ["vip"]])
        try await create(["title": "no tag", "context": ["bot_id": "bot-7"]])
        let wanted = try await create(["title": "match", "context": ["bot_id": "bot-7"], "tags": ["vip"]])
        let event = try await next("the matching event")
        #expect(event["params"]?["event"]?["subject"]?["id"] == .string(wanted))
        _ = try await result("events.subscribe", ["filter": ["task_id": .string(wanted), "assignee": "user456"]])
        _ = try await write("tasks.update", ["task_id": .string(wanted), "assignee": "user456"])
        let assigned = try await next("the assignment")
        #expect(assigned["params"]?["event"]?["type"] == "task_assigned")
        #expect(assigned["params"]?["subscription_id"] == "sub_2")
    }

    @Test func aMemberSeesEveryTasksEvents() async throws {
        let member = context("ann", role: .member)
        _ = try await result("events.subscribe", [:], as: member)
        try await create(["title": "someone else's"])
        #expect(try await next("the event")["params"]?["event"]?["type"] == "task_created")
        let page = try await result("events.since", [:], as: member)
        #expect(page["events"]?.arrayValue?.count == 1)
    }

    @Test func unsubscribeStopsDelivery() async throws {
        let subscribed = try await result("events.subscribe", [:])
        let id = try #require(subscribed["subscription_id"])
        #expect(try await result("events.unsubscribe", ["subscription_id": id])["unsubscribed"] == true)
        #expect(try await result("events.unsubscribe", ["subscription_id": id])["unsubscribed"] == false)
        // Another connection cannot end this one's subscriptions.
        let other = try await result("events.subscribe", [:])
        let foreign = try await result(
            "events.unsubscribe", ["subscription_id": other["subscription_id"] ?? .null], as: context(connection: 2))
        #expect(foreign["unsubscribed"] == false)
        hub.connectionClosed(1)
        #expect(hub.subscriptionCount == 0)
        try await create(["title": "unseen"])
        await hub.drain()
        #expect(await nothingSent())
    }

    @Test func sincePagesTheFeed() async throws {
        for index in 0..<5 { try await create(["title": .string("task \(index)")]) }
        let first = try await result("events.since", ["limit": 2])
        #expect(first["events"]?.arrayValue?.count == 2)
        #expect(first["has_more"] == true)
        let rest = try await result("events.since", ["cursor": first["next_cursor"] ?? .null, "limit": 10])
        #expect(rest["events"]?.arrayValue?.map { $0["seq"] } == [3, 4, 5])
        #expect(rest["has_more"] == false)
        let none = try await result(
            "events.since", ["cursor": rest["next_cursor"] ?? .null, "types": ["task_deleted"]])
        #expect(none["events"] == [])
    }

    @Test(
        arguments: [
            ("events.since", ["cursor": "evt_1"], "cursor"),
            ("events.subscribe", ["since": "tsk_038HMF6T94000"], "since"),
            ("events.since", ["limit": 0], "limit"),
            ("events.since", ["types": ["task_exploded"]], "types"),
            ("events.subscribe", ["filter": ["colour": "red"]], "filter.colour"),
            ("events.subscribe", ["filter": ["task_id": "nope"]], "filter.task_id"),
            ("events.subscribe", ["sinse": "evt_00000000000000010000"], "sinse"),
        ] as [(String, JSONValue, String)])
    func malformedParamsNameTheirField(method: String, params: JSONValue, field: String) async throws {
        guard case .failure(let error) = await call(method, params) else {
            Issue.record("\(method) accepted \(params)")
            return
        }
        #expect(error.code == -32602)
        #expect(error.data?["field"] == .string(field))
        #expect(hub.subscriptionCount == 0)
    }

    @Test func aCursorOlderThanTheRetentionIsExpired() async throws {
        let suite = try EventsMethodsTests(retention: 2)
        for index in 0..<4 { try await suite.create(["title": .string("task \(index)")]) }
        for (method, key) in [("events.since", "cursor"), ("events.subscribe", "since")] {
            guard case .failure(let error) = await suite.call(method, [key: "evt_00000000000000010000"]) else {
                Issue.record("\(method) accepted an expired cursor")
                continue
            }
            #expect(error.code == 409)
            #expect(error.data?["error"] == "cursor_expired")
            #expect(error.data?["oldest_cursor"] == "evt_0000000000000002ffff")
        }
        #expect(suite.hub.subscriptionCount == 0)
        let kept = try await suite.result("events.since", ["cursor": "evt_0000000000000002ffff"])
        #expect(kept["events"]?.arrayValue?.count == 2)
    }

    @Test func aSubscriberThatFallsBehindIsEndedWithItsResumeCursor() async throws {
        let subscribed = try await result("events.subscribe", [:])
        try await create(["title": "delivered"])
        #expect(try await next("the first event")["params"]?["cursor"] == "evt_00000000000000010000")
        // The peer stops reading: its connection's unread bytes pass the bound.
        unwritten.value.withLock { $0 = 2 << 20 }
        for index in 0..<20 { try await create(["title": .string("write \(index)")]) }
        let ended = try await next("the end of the subscription")
        #expect(ended["method"] == "events.subscription_ended")
        #expect(ended["params"]?["subscription_id"] == subscribed["subscription_id"])
        #expect(ended["params"]?["reason"] == "overflow")
        #expect(ended["params"]?["resume_cursor"] == "evt_00000000000000010000")
        #expect(hub.subscriptionCount == 0)
        // The operator learns which subscription ended and why.
        let line = try #require(log.lines.first { $0.contains("subscription ended: overflow") })
        #expect(line.contains("subscription=\(subscribed["subscription_id"]?.stringValue ?? "?")"))
        #expect(line.contains("unread_bytes=2097152"))
        #expect(line.contains("resume_cursor=evt_00000000000000010000"))
        #expect(log.lines.count == 1)
        // Every write went through, and the feed has everything after the resume cursor.
        let page = try await result("events.since", ["cursor": "evt_00000000000000010000", "limit": 100])
        #expect(page["events"]?.arrayValue?.count == 20)
    }
}

/// The unread byte count a fake connection reports, shared with its test.
final class UnreadBytes: Sendable {
    let value = Mutex(0)
}
