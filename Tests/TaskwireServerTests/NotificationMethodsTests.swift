import Delivery
import JSON
import JSONRPC
import Locking
import StoreTestSupport
import TaskEngine
import TaskStore
import TestSupport
import Testing

@testable import TaskwireServer

/// The `notifications.*` handlers with JSON params as a client sends them, the push of new inbox
/// notifications to the recipient's connections, and the delivery worker over a recording channel.
@Suite(.closesTestStores)
struct NotificationMethodsTests {
    let clock = ManualTimeSource("2024-01-15T10:00:00Z")
    let engine: Engine
    let table: MethodTable

    init() async throws {
        engine = try Engine.open(store: try TestStore.make(), clock: clock)
        table = try MethodTable(
            TaskMethods.declarations(engine: engine) + IdentityMethods.declarations(engine: engine)
                + NotificationMethods.declarations(engine: engine))
        for (id, role) in [("alice", "member"), ("bob", "member"), ("erin", "admin")] {
            _ = try await engine.upsertUser(
                UserInput(userID: UserID(id), name: id.uppercased(), email: "\(id)@example.com", role: role),
                by: .system)
        }
    }

    func call(
        _ method: String, _ params: JSONValue?, as user: UserID = "erin", role: Role = .admin
    ) async -> Result<
        JSONValue, ResponseError
    > {
        await table.call(method, params, context: RequestContext(connectionID: 1, user: user, role: role))
    }

    func error(
        _ method: String, _ params: JSONValue?, as user: UserID = "bob", role: Role = .member
    ) async
        -> ResponseError?
    {
        if case .failure(let error) = await call(method, params, as: user, role: role) { return error }
        return nil
    }

    /// Erin creates a task for bob.
    @discardableResult
    func assignToBob(_ title: String = "Call the customer") async throws -> String {
        let created = try await call("tasks.create", ["title": .string(title), "assignee": "bob"]).get()
        return try #require(created["task_id"]?.stringValue)
    }

    @Test func configureReadsEveryFieldAndGetConfigShowsTheSource() async throws {
        let configured = try await call(
            "notifications.configure",
            [
                "events": ["task_assigned", "task_due_soon"], "channels": ["in_app", "webhook"],
                "recipients": ["assignee", "mentioned"], "remind_before_minutes": 15,
                "webhook": ["url": "https://hooks.example.com/bob"],
            ], as: "bob", role: .member
        ).get()
        #expect(configured["source"] == "own" && configured["user_id"] == "bob" && configured["default"] == false)
        let secret = try #require(configured["webhook_secret"]?.stringValue)
        let shown = try await call("notifications.get_config", [:], as: "bob", role: .member).get()
        #expect(
            shown["config"]
                == [
                    "events": ["task_assigned", "task_due_soon"], "channels": ["in_app", "webhook"],
                    "recipients": ["assignee", "mentioned"], "remind_before_minutes": 15,
                    "webhook": ["url": "https://hooks.example.com/bob", "secret_set": true],
                ])
        #expect(!JSONWriter.string(shown).contains(secret))
        let inherited = try await call("notifications.get_config", ["user_id": "alice"]).get()
        #expect(inherited["source"] == "default" && inherited["config"]?["channels"] == ["in_app"])
        let serverDefault = try await call("notifications.get_config", ["default": true], as: "alice", role: .member)
            .get()
        #expect(serverDefault["default"] == true && serverDefault["user_id"] == .null)
    }

    @Test func badParamsNameTheirField() async throws {
        let cases: [(JSONValue, String)] = [
            (["events": ["task_assigned", "nope"]], "events"),
            (["events": "task_assigned"], "events"),
            (["channels": ["fax"]], "channels"),
            (["recipients": ["everyone"]], "recipients"),
            (["remind_before_minutes": -5], "remind_before_minutes"),
            (["remind_before_minutes": 1.5], "remind_before_minutes"),
            (["webhook": ["url": "mailto:x@example.com"]], "webhook.url"),
            (["webhook": ["url": "https://h.example", "colour": "red"]], "webhook.colour"),
            (["webhook": [:]], "webhook.url"),
            (["webhook": "https://h.example"], "webhook"),
            (["user_id": "alice", "default": true], "default"),
            (["evnets": []], "evnets"),
        ]
        for (params, field) in cases {
            let error = await self.error("notifications.configure", params)
            #expect(error?.code == -32602, "\(params)")
            #expect(error?.data?["field"] == .string(field), "\(params): \(String(describing: error))")
        }
        let unknown = await error("notifications.configure", ["events": ["task_assigned", "nope", "nah"]])
        #expect(unknown?.message.contains("nope, nah") == true)
        #expect(await error("notifications.mark_read", [:])?.data?["field"] == "notification_ids")
        #expect(await error("notifications.mark_read", ["all": true, "notification_ids": ["ntf_x"]])?.code == -32602)
        #expect(await error("notifications.list", ["limit": 0])?.data?["field"] == "limit")
    }

    @Test func membersAreRefusedOtherUsersSettings() async throws {
        for params: JSONValue in [
            ["user_id": "alice", "channels": ["email"]], ["default": true, "channels": ["email"]],
        ] {
            #expect(await error("notifications.configure", params)?.code == 403)
        }
        #expect(await error("notifications.get_config", ["user_id": "alice"])?.code == 403)
        let forAlice = try await call("notifications.configure", ["user_id": "alice", "channels": ["email"]]).get()
        #expect(forAlice["user_id"] == "alice" && forAlice["config"]?["channels"] == ["email"])
    }

    @Test func listAndMarkReadOverTheWire() async throws {
        try await assignToBob("One")
        try await assignToBob("Two")
        let listed = try await call("notifications.list", ["limit": 1], as: "bob", role: .member).get()
        #expect(listed["unread_count"] == 2 && listed["total"] == 2 && listed["page"] == 1 && listed["limit"] == 1)
        let newest = try #require(listed["notifications"]?.arrayValue?.first)
        #expect(newest["type"] == "task_assigned" && newest["task_title"] == "Two")
        #expect(newest["message"] == "ERIN assigned \u{201C}Two\u{201D} to you.")
        #expect(newest["actor"] == ["user_id": "erin", "name": "ERIN"])
        let id = try #require(newest["id"]?.stringValue)
        let marked = try await call(
            "notifications.mark_read", ["notification_ids": [.string(id), "ntf_000000000000000000000000"]], as: "bob",
            role: .member
        ).get()
        #expect(marked == ["updated": 1, "unread_count": 1, "not_found": ["ntf_000000000000000000000000"]])
        let rest = try await call("notifications.mark_read", ["all": true], as: "bob", role: .member).get()
        #expect(rest["updated"] == 1 && rest["unread_count"] == 0)
        // Alice's inbox is her own: empty.
        #expect(try await call("notifications.list", [:], as: "alice", role: .member).get()["total"] == 0)
    }

    // MARK: Push

    /// Bodies a fake connection was sent, handed to the test as they arrive.
    final class Connection: Sendable {
        let bodies: AsyncStream<JSONValue>
        let continuation: AsyncStream<JSONValue>.Continuation
        let outbound: RequestContext.Outbound

        init() {
            (bodies, continuation) = AsyncStream<JSONValue>.makeStream()
            let continuation = self.continuation
            outbound = RequestContext.Outbound(
                send: { body in
                    continuation.yield((try? JSONParser.parse(body)) ?? .null)
                    return true
                }, unwrittenBytes: { 0 })
        }

        /// The next body, or `nil` after 10 s.
        func next() async -> JSONValue? {
            await withTaskGroup(of: JSONValue?.self) { group in
                group.addTask {
                    var iterator = self.bodies.makeAsyncIterator()
                    return await iterator.next()
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(10))
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
        }
    }

    @Test func aNewNotificationIsPushedToEveryConnectionOfItsRecipientOnly() async throws {
        let push = InboxPush(engine: engine)
        defer { push.stop() }
        let bobStdio = Connection()
        let bobSocket = Connection()
        let aliceSocket = Connection()
        let unbound = ConnectionIdentity(nil)
        push.connectionOpened(
            1, identity: ConnectionIdentity(.init(user: "bob", via: "stdio")), outbound: bobStdio.outbound)
        push.connectionOpened(2, identity: unbound, outbound: bobSocket.outbound)
        push.connectionOpened(
            3, identity: ConnectionIdentity(.init(user: "alice", via: "token")), outbound: aliceSocket.outbound)
        // The socket logs in as bob after it connected.
        unbound.bind(.init(user: "bob", via: "token"))
        try await assignToBob("Pushed")
        for connection in [bobStdio, bobSocket] {
            let body = try #require(await connection.next())
            #expect(body["method"] == "notifications.notification")
            #expect(body["params"]?["unread_count"] == 1)
            #expect(body["params"]?["notification"]?["task_title"] == "Pushed")
        }
        // A second assignment reaches bob again; alice, who was told nothing, only hears of her own.
        _ = try await call(
            "tasks.create", ["title": "For alice", "assignee": "alice"], as: "bob", role: .member)
        let alices = try #require(await aliceSocket.next())
        #expect(alices["params"]?["notification"]?["task_title"] == "For alice")
        #expect(alices["params"]?["notification"]?["actor"]?["user_id"] == "bob")
        push.connectionClosed(1)
    }

    // MARK: Delivery worker

    /// A channel that answers from a script (the last answer repeats) and records what it was given.
    final class RecordingChannel: DeliveryChannel {
        let name: String
        private let script: Mutex<[DeliveryOutcome]>
        let sent = Mutex<[OutgoingNotification]>([])

        init(_ name: String, _ script: [DeliveryOutcome]) {
            self.name = name
            self.script = Mutex(script)
        }

        func deliver(_ notification: OutgoingNotification) async -> DeliveryOutcome {
            sent.withLock { $0.append(notification) }
            return script.withLock { script in script.count > 1 ? script.removeFirst() : script[0] }
        }

        var attempts: Int { sent.withLock { $0.count } }
    }

    /// Wake-ups the test fires by hand; it records every delay asked for.
    final class ManualWakeups: DeliveryWakeups {
        let delays = Mutex<[Double]>([])

        func wake(after seconds: Double, _ action: @escaping @Sendable () -> Void) {
            delays.withLock { $0.append(seconds) }
        }
    }

    func emailBob() async throws {
        _ = try await call("notifications.configure", ["user_id": "bob", "channels": ["in_app", "email"]]).get()
    }

    @Test func aDeliveryCarriesEverythingAndIsRecorded() async throws {
        try await emailBob()
        let taskID = try await assignToBob()
        let channel = RecordingChannel("email", [.delivered])
        let worker = DeliveryWorker(engine: engine, channels: [channel], clock: clock, wakeups: ManualWakeups())
        await worker.pass()
        let sent = try #require(channel.sent.withLock { $0 }.first)
        let inbox = try await call("notifications.list", [:], as: "bob", role: .member).get()
        let notification = try #require(inbox["notifications"]?.arrayValue?.first)
        #expect(sent.deliveryID == "dlv_" + (notification["id"]?.stringValue ?? "").dropFirst(4) + "_email")
        #expect(sent.recipient == .init(id: "bob", name: "BOB", email: "bob@example.com"))
        #expect(sent.actor == .init(id: "erin", name: "ERIN", email: "erin@example.com"))
        #expect(sent.eventType == "task_assigned" && sent.task?["task_id"] == .string(taskID))
        #expect(sent.task?["assignee"]?["name"] == "BOB")
        #expect(sent.payload["id"] == notification["id"])
        #expect(await engine.pendingDeliveries.isEmpty)
        #expect(notification["deliveries"] == ["email": "delivered"])
        // Recorded: another pass sends nothing more.
        await worker.pass()
        #expect(channel.attempts == 1)
    }

    @Test func failedAttemptsBackOffOnTheClockAndThenSucceed() async throws {
        try await emailBob()
        try await assignToBob()
        let channel = RecordingChannel("email", [.retry(reason: "busy"), .retry(reason: "busy"), .delivered])
        let wakeups = ManualWakeups()
        let worker = DeliveryWorker(engine: engine, channels: [channel], clock: clock, wakeups: wakeups)
        await worker.pass()
        #expect(channel.attempts == 1 && wakeups.delays.withLock { $0 } == [30])
        clock.advance(seconds: 29)
        await worker.pass()
        #expect(channel.attempts == 1)
        clock.advance(seconds: 1)
        await worker.pass()
        #expect(channel.attempts == 2 && wakeups.delays.withLock { $0 } == [30, 60])
        clock.advance(seconds: 60)
        await worker.pass()
        let left = await engine.pendingDeliveries
        #expect(channel.attempts == 3 && left.isEmpty)
        let ids = Set(channel.sent.withLock { $0 }.map(\.deliveryID))
        #expect(ids.count == 1)
    }

    @Test func aDeliveryIsGivenUpAfterTheLastAttemptOrAtOnceWhenTheChannelSaysSo() async throws {
        try await emailBob()
        try await assignToBob("One")
        let schedule = RetrySchedule(firstDelaySeconds: 1, maximumDelaySeconds: 2, maximumAttempts: 3)
        let channel = RecordingChannel("email", [.retry(reason: "down")])
        let wakeups = ManualWakeups()
        let worker = DeliveryWorker(
            engine: engine, channels: [channel], schedule: schedule, clock: clock, wakeups: wakeups)
        for _ in 0..<3 {
            await worker.pass()
            clock.advance(seconds: 2)
        }
        #expect(channel.attempts == 3 && wakeups.delays.withLock { $0 } == [1, 2])
        #expect(await engine.pendingDeliveries.isEmpty)
        let inbox = try await call("notifications.list", [:], as: "bob", role: .member).get()
        #expect(inbox["notifications"]?.arrayValue?.first?["deliveries"] == ["email": "failed"])
        // A permanent failure is given up on the first attempt.
        try await assignToBob("Two")
        let refusing = RecordingChannel("email", [.giveUp(reason: "no address")])
        await DeliveryWorker(engine: engine, channels: [refusing], clock: clock, wakeups: wakeups).pass()
        let none = await engine.pendingDeliveries
        #expect(refusing.attempts == 1 && none.isEmpty)
    }

    @Test func aDeliveryWithoutItsChannelStaysPending() async throws {
        try await emailBob()
        try await assignToBob()
        let webhook = RecordingChannel("webhook", [.delivered])
        await DeliveryWorker(engine: engine, channels: [webhook], clock: clock, wakeups: ManualWakeups()).pass()
        let pending = await engine.pendingDeliveries
        #expect(webhook.attempts == 0 && pending.count == 1)
    }

    @Test func unrecordedDeliveriesResumeAfterARestart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var firstID = ""
        do {
            let store = try FileStore.open(directory: directory.path)
            let engine = try Engine.open(store: store, clock: clock)
            _ = try await engine.upsertUser(
                UserInput(userID: "bob", name: "Bob", email: "bob@example.com", role: "member"), by: .system)
            var settings = NotificationSettings()
            settings.channels = ["email"]
            _ = try await engine.configureNotifications(settings, for: .user("bob"), by: .system)
            var input = NewTask(title: "Survives")
            input.assignee = "bob"
            _ = try await engine.create(input, by: .system)
            await engine.waitUntilPublished()
            let failing = RecordingChannel("email", [.retry(reason: "down")])
            await DeliveryWorker(engine: engine, channels: [failing], clock: clock, wakeups: ManualWakeups()).pass()
            firstID = try #require(failing.sent.withLock { $0 }.first?.deliveryID)
            store.close()
        }
        do {
            let store = try FileStore.open(directory: directory.path)
            let engine = try Engine.open(store: store, clock: clock)
            #expect(await engine.pendingDeliveries.map(\.id) == [firstID])
            let channel = RecordingChannel("email", [.delivered])
            await DeliveryWorker(engine: engine, channels: [channel], clock: clock, wakeups: ManualWakeups()).pass()
            #expect(channel.sent.withLock { $0 }.map(\.deliveryID) == [firstID])
            try await store.flush()
            store.close()
        }
        let store = try FileStore.open(directory: directory.path)
        defer { store.close() }
        #expect(try await Engine.open(store: store, clock: clock).pendingDeliveries.isEmpty)
    }
}
