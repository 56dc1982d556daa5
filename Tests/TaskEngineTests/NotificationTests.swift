import Foundation
import JSON
import StoreTestSupport
import TaskStore
import TestSupport
import Testing

@testable import TaskEngine

/// Notification routing, configurations, the inbox, and how all of it survives replay, snapshots and export.
@Suite(.closesTestStores)
struct NotificationTests {
    static let admin = Caller(user: "erin", role: .admin)
    static let alice = Caller(user: "alice", role: .member)
    static let bob = Caller(user: "bob", role: .member)

    /// An engine whose directory holds alice, bob, carol, dave (members) and erin (admin).
    static func directory() async throws -> Fixture {
        let fixture = try Fixture()
        for (id, role) in [
            ("alice", "member"), ("bob", "member"), ("carol", "member"), ("dave", "member"), ("erin", "admin"),
        ] {
            var input = UserInput(userID: UserID(id), name: id.capitalized, role: role)
            input.email = "\(id)@example.com"
            _ = try await fixture.engine.upsertUser(input, by: .system)
        }
        return fixture
    }

    /// Everyone of `users` configured with every notifiable event, `channels` and `recipients`.
    static func configure(
        _ fixture: Fixture, _ users: [String], recipients: [String], channels: [String] = ["in_app"],
        events: [String] = NotificationConfig.notifiableEvents
    ) async throws {
        for user in users {
            var settings = NotificationSettings()
            settings.events = events
            settings.channels = channels
            settings.recipients = recipients
            if channels.contains("webhook") {
                settings.webhook = .set(.init(url: "https://hooks.example.com/\(user)", secret: "0123456789abcdef"))
            }
            _ = try await fixture.engine.configureNotifications(settings, for: .user(UserID(user)), by: admin)
        }
    }

    /// A task alice created for bob, watched by carol, whose description mentions dave.
    static func sharedTask(_ fixture: Fixture) async throws -> TaskItem {
        var input = NewTask(title: "Quarterly report")
        input.assignee = "bob"
        input.description = "Numbers from @dave."
        let task = try await fixture.engine.create(input, by: alice).value.task
        _ = try await fixture.engine.watch(task.id, userID: "carol", by: admin)
        return task
    }

    static func inbox(_ fixture: Fixture, _ user: String) async throws -> [JSONValue] {
        try await fixture.engine.notifications(limit: 200, for: Caller(user: UserID(user), role: .member))
            .notifications
    }

    static func types(_ notifications: [JSONValue]) -> [String] {
        notifications.compactMap { $0["type"]?.stringValue }
    }

    // MARK: Routing

    @Test(arguments: [("assignee", "bob"), ("watchers", "carol"), ("creator", "alice"), ("mentioned", "dave")])
    func eachRoleReachesExactlyItsPerson(role: String, person: String) async throws {
        let fixture = try await Self.directory()
        try await Self.configure(fixture, ["alice", "bob", "carol", "dave"], recipients: [role])
        let task = try await Self.sharedTask(fixture)
        var patch = TaskPatch()
        patch.title = "Q3 report"
        _ = try await fixture.engine.update(task.id, patch, by: Self.admin)
        _ = try await fixture.engine.addComment(NewComment(taskID: task.id, text: "Looks good"), by: Self.admin)
        for user in ["alice", "bob", "carol", "dave"] {
            let got = try await Self.inbox(fixture, user)
            if user == person {
                // Alice's own creation never notifies her, and carol started watching after it.
                let later = user == "alice" || user == "carol"
                // Bob, the assignee, hears of the creation as an assignment.
                let creation = user == "bob" ? "task_assigned" : "task_created"
                let expected = ["comment_added", "task_updated"] + (later ? [] : [creation])
                #expect(Self.types(got) == expected, "\(user)")
                #expect(got.allSatisfy { $0["roles"] == [.string(role)] })
            } else {
                #expect(got.isEmpty, "\(user) got \(Self.types(got))")
            }
        }
    }

    /// A lifecycle by erin of a task alice created; bob is assigned on the way.
    static func lifecycle(_ fixture: Fixture) async throws {
        let task = try await fixture.engine.create(NewTask(title: "Ship it"), by: alice).value.task
        func patch(_ change: (inout TaskPatch) -> Void) -> TaskPatch {
            var patch = TaskPatch()
            change(&patch)
            return patch
        }
        _ = try await fixture.engine.update(task.id, patch { $0.assignee = .some("bob") }, by: admin)
        _ = try await fixture.engine.update(task.id, patch { $0.title = "Ship it today" }, by: admin)
        _ = try await fixture.engine.addComment(NewComment(taskID: task.id, text: "Go"), by: admin)
        _ = try await fixture.engine.update(task.id, patch { $0.status = "in_progress" }, by: admin)
        _ = try await fixture.engine.complete(task.id, Completion(), by: admin)
        _ = try await fixture.engine.delete(task.id, by: admin)
    }

    @Test(arguments: [
        ("task_assigned", 1), ("task_updated", 2), ("comment_added", 1), ("task_completed", 1), ("task_deleted", 1),
        ("task_created", 0),
    ])
    func eachEventTypeReachesTheConfiguredChannels(type: String, count: Int) async throws {
        let fixture = try await Self.directory()
        try await Self.configure(
            fixture, ["bob"], recipients: ["assignee"], channels: ["in_app", "email", "webhook"], events: [type])
        try await Self.lifecycle(fixture)
        let got = try await Self.inbox(fixture, "bob")
        #expect(Self.types(got) == Array(repeating: type, count: count))
        let pending = await fixture.engine.pendingDeliveries
        #expect(
            pending.map(\.channel).sorted()
                == Array(repeating: ["email", "webhook"], count: count).flatMap { $0 }.sorted())
        for notification in got {
            let id = try #require(notification["id"]?.stringValue)
            #expect(pending.contains { $0.id == "dlv_" + id.dropFirst(4) + "_email" })
            #expect(notification["deliveries"] == ["email": "pending", "webhook": "pending"])
        }
        // Nobody else configured anything, and the default reaches assignees and watchers only.
        #expect(try await Self.inbox(fixture, "alice").isEmpty)
    }

    @Test func anEmailOnlyConfigurationLeavesTheInboxEmpty() async throws {
        let fixture = try await Self.directory()
        try await Self.configure(fixture, ["bob"], recipients: ["assignee"], channels: ["email"])
        _ = try await Self.sharedTask(fixture)
        #expect(try await Self.inbox(fixture, "bob").isEmpty)
        let pending = await fixture.engine.pendingDeliveries
        #expect(pending.count == 1 && pending[0].channel == "email" && pending[0].notification.type == "task_assigned")
    }

    @Test func theActorAndTheAgentAreNeverNotifiedOfTheirOwnAction() async throws {
        let fixture = try await Self.directory()
        try await Self.configure(fixture, ["alice", "bob", "carol"], recipients: ["assignee", "watchers", "creator"])
        let task = try await Self.sharedTask(fixture)
        // Bob changes his own task: he is its assignee, but the actor.
        var patch = TaskPatch()
        patch.title = "Bob's title"
        _ = try await fixture.engine.update(task.id, patch, by: Self.bob)
        #expect(Self.types(try await Self.inbox(fixture, "bob")) == ["task_assigned"])
        // Carol's agent acts for alice: neither alice (actor) nor carol (the agent) hears of it.
        patch.title = "Agent's title"
        _ = try await fixture.engine.update(task.id, patch, by: Caller(user: "alice", agent: "carol", role: .member))
        #expect(Self.types(try await Self.inbox(fixture, "carol")) == ["task_updated"])
        #expect(Self.types(try await Self.inbox(fixture, "alice")) == ["task_updated"])
    }

    @Test func onePersonInTwoRolesGetsOneNotification() async throws {
        let fixture = try await Self.directory()
        let task = try await Self.sharedTask(fixture)
        _ = try await fixture.engine.watch(task.id, userID: "bob", by: Self.admin)
        _ = try await fixture.engine.addComment(NewComment(taskID: task.id, text: "Hi @bob"), by: Self.admin)
        let got = try await Self.inbox(fixture, "bob")
        // The default reaches assignees and watchers; the creation reached bob as an assignment.
        #expect(Self.types(got) == ["comment_added", "task_assigned"])
        #expect(got.first?["roles"] == ["assignee", "watchers"])
        #expect(got.first?["message"] == "Erin commented on \u{201C}Quarterly report\u{201D}.")
        #expect(got.first?["actor"] == ["user_id": "erin", "name": "Erin"])
    }

    @Test func mentionsNameDirectoryUsersOnly() {
        let users: Set<UserID> = ["dave", "a.b", "x@y.com"]
        let found = Mentions.users(
            in: "@dave, @nobody and @a.b. Mail @x@y.com; not me@dave or @@dave", isUser: users.contains)
        #expect(found == ["dave", "a.b", "x@y.com"])
    }

    // MARK: Configuration

    @Test func usersInheritTheDefaultUntilTheyConfigure() async throws {
        let fixture = try await Self.directory()
        let initial = try await fixture.engine.notificationConfig(for: .caller, by: Self.bob)
        #expect(initial.source == "default" && initial.config == .standard)
        var settings = NotificationSettings()
        settings.events = ["comment_added"]
        let own = try await fixture.engine.configureNotifications(settings, for: .caller, by: Self.bob).value
        #expect(own.source == "own" && own.config.channels == ["in_app"] && own.config.events == ["comment_added"])
        // A new default reaches carol, who has none of her own, not bob.
        settings.events = ["task_assigned", "task_updated"]
        _ = try await fixture.engine.configureNotifications(settings, for: .serverDefault, by: Self.admin)
        let task = try await fixture.engine.create(NewTask(title: "T"), by: Self.alice).value.task
        var patch = TaskPatch()
        patch.assignee = .some("carol")
        _ = try await fixture.engine.update(task.id, patch, by: Self.admin)
        patch.assignee = .some("bob")
        _ = try await fixture.engine.update(task.id, patch, by: Self.admin)
        #expect(Self.types(try await Self.inbox(fixture, "carol")) == ["task_assigned"])
        #expect(try await Self.inbox(fixture, "bob").isEmpty)
        #expect(try await fixture.engine.notificationConfig(for: .user("carol"), by: Self.admin).source == "default")
        #expect(
            try await fixture.engine.notificationConfig(for: .serverDefault, by: Self.bob).config.events
                == settings.events)
    }

    @Test func membersConfigureOnlyThemselves() async throws {
        let fixture = try await Self.directory()
        var settings = NotificationSettings()
        settings.channels = ["email"]
        for target in [NotificationTarget.user("alice"), .serverDefault] {
            let error = await engineError {
                _ = try await fixture.engine.configureNotifications(settings, for: target, by: Self.bob)
            }
            #expect(error?.name == "permission_denied")
        }
        let read = await engineError {
            _ = try await fixture.engine.notificationConfig(for: .user("alice"), by: Self.bob)
        }
        #expect(read?.name == "permission_denied")
        // Naming oneself is fine; an admin may configure anyone.
        _ = try await fixture.engine.configureNotifications(settings, for: .user("bob"), by: Self.bob)
        let alice = try await fixture.engine.configureNotifications(settings, for: .user("alice"), by: Self.admin).value
        #expect(alice.user == "alice" && alice.config.channels == ["email"])
    }

    @Test func badSettingsAreRefusedNamingTheField() async throws {
        let fixture = try await Self.directory()
        func refusal(_ change: (inout NotificationSettings) -> Void) async -> EngineError? {
            var settings = NotificationSettings()
            change(&settings)
            return await engineError {
                _ = try await fixture.engine.configureNotifications(settings, for: .caller, by: Self.bob)
            }
        }
        let events = await refusal { $0.events = ["task_assigned", "task_exploded", "lunch"] }
        #expect(events?.details["field"] == "events")
        #expect(events?.message.contains("task_exploded, lunch") == true)
        #expect(await refusal { $0.channels = ["pigeon"] }?.details["field"] == "channels")
        #expect(await refusal { $0.recipients = ["boss"] }?.details["field"] == "recipients")
        #expect(await refusal { $0.channels = ["webhook"] }?.details["field"] == "channels")
        #expect(await refusal { $0.remindBeforeMinutes = .set(-1) }?.details["field"] == "remind_before_minutes")
        for url in ["ftp://x.example", "https://", "https://user@host/", "https://a b", "javascript:alert(1)"] {
            #expect(await refusal { $0.webhook = .set(.init(url: url)) }?.details["field"] == "webhook.url", "\(url)")
        }
        #expect(
            await refusal { $0.webhook = .set(.init(url: "https://h.example", secret: "short")) }?.details["field"]
                == "webhook.secret")
        #expect(try await fixture.engine.notificationConfig(for: .caller, by: Self.bob).source == "default")
    }

    @Test func aGeneratedWebhookSecretIsShownOnce() async throws {
        let fixture = try await Self.directory()
        var settings = NotificationSettings()
        settings.webhook = .set(.init(url: "https://hooks.example.com/bob"))
        settings.channels = ["in_app", "webhook"]
        settings.remindBeforeMinutes = .set(30)
        let view = try await fixture.engine.configureNotifications(settings, for: .caller, by: Self.bob).value
        let secret = try #require(view.generatedSecret)
        #expect(secret.hasPrefix("whsec_") && secret.count == 70)
        let shown = try await fixture.engine.notificationConfig(for: .caller, by: Self.bob).json
        #expect(shown["config"]?["webhook"] == ["url": "https://hooks.example.com/bob", "secret_set": true])
        #expect(shown["config"]?["remind_before_minutes"] == 30)
        #expect(!JSONWriter.string(shown).contains(secret))
        // Removing the webhook while the channel stays is refused; removing both works.
        var removal = NotificationSettings()
        removal.webhook = .clear
        let error = await engineError {
            _ = try await fixture.engine.configureNotifications(removal, for: .caller, by: Self.bob)
        }
        #expect(error?.details["field"] == "channels")
        removal.channels = ["in_app"]
        removal.remindBeforeMinutes = .clear
        let cleared = try await fixture.engine.configureNotifications(removal, for: .caller, by: Self.bob).value
        #expect(cleared.config.webhook == nil && cleared.config.remindBeforeMinutes == nil)
    }

    // MARK: Inbox

    @Test func theInboxPagesNewestFirstAndMarksRead() async throws {
        let fixture = try await Self.directory()
        let task = try await Self.sharedTask(fixture)
        for index in 1...5 {
            _ = try await fixture.engine.addComment(NewComment(taskID: task.id, text: "c\(index)"), by: Self.admin)
        }
        let first = try await fixture.engine.notifications(page: 1, limit: 2, for: Self.bob)
        // The task's creation assigned it to bob: one task_assigned, then five comments.
        #expect(first.total == 6 && first.unreadCount == 6 && first.notifications.count == 2)
        let all = try await Self.inbox(fixture, "bob")
        let ids = all.compactMap { $0["id"]?.stringValue }
        #expect(ids == ids.sorted(by: >))
        #expect(first.notifications == Array(all.prefix(2)))
        let carolID = try #require(try await Self.inbox(fixture, "carol").first?["id"]?.stringValue)
        let marked = try await fixture.engine.markNotificationsRead(
            [ids[0], ids[1], "ntf_nope", carolID], by: Self.bob
        ).value
        #expect(marked.updated == 2 && marked.unreadCount == 4 && marked.notFound == ["ntf_nope", carolID])
        // Carol's notification is untouched; marking again changes nothing.
        #expect(try await fixture.engine.notifications(unreadOnly: true, for: Caller(user: "carol")).total == 5)
        #expect(try await fixture.engine.markNotificationsRead([ids[0]], by: Self.bob).value.updated == 0)
        let unread = try await fixture.engine.notifications(unreadOnly: true, for: Self.bob)
        #expect(unread.total == 4 && unread.notifications.allSatisfy { $0["read"] == false })
        let read = try await Self.inbox(fixture, "bob").first
        #expect(read?["read"] == true && read?["read_at"] == "2024-01-15T10:00:00Z")
        let rest = try await fixture.engine.markNotificationsRead(nil, by: Self.bob).value
        #expect(rest.updated == 4 && rest.unreadCount == 0)
        let tooMany = await engineError { _ = try await fixture.engine.markNotificationsRead([], by: Self.bob) }
        #expect(tooMany?.details["field"] == "notification_ids")
    }

    @Test func theInboxKeepsTheNewestThousandDroppingReadOnesFirst() async throws {
        let fixture = try await Self.directory()
        let task = try await Self.sharedTask(fixture)
        for index in 0..<3 {
            _ = try await fixture.engine.addComment(NewComment(taskID: task.id, text: "\(index)"), by: Self.admin)
        }
        let oldest = try await Self.inbox(fixture, "bob").compactMap { $0["id"]?.stringValue }.sorted()
        // The second oldest is read: it goes first, then the oldest unread one.
        _ = try await fixture.engine.markNotificationsRead([oldest[1]], by: Self.bob)
        for index in 0..<(NotificationLimits.inboxSize - oldest.count + 1) {
            _ = try await fixture.engine.addComment(NewComment(taskID: task.id, text: "more \(index)"), by: Self.admin)
        }
        var page = try await fixture.engine.notifications(limit: 200, for: Self.bob)
        #expect(page.total == NotificationLimits.inboxSize)
        page = try await fixture.engine.notifications(page: 5, limit: 200, for: Self.bob)
        let kept = page.notifications.compactMap { $0["id"]?.stringValue }
        #expect(kept.last == oldest[0] && !kept.contains(oldest[1]))
        _ = try await fixture.engine.addComment(NewComment(taskID: task.id, text: "last"), by: Self.admin)
        page = try await fixture.engine.notifications(page: 5, limit: 200, for: Self.bob)
        #expect(page.notifications.last?["id"]?.stringValue == oldest[2])
    }

    // MARK: Persistence

    /// Every inbox, config and pending delivery as the engine shows them.
    static func everything(_ engine: Engine) async throws -> [JSONValue] {
        var shown: [JSONValue] = []
        for user in ["alice", "bob", "carol", "dave"] {
            shown.append(try await engine.notifications(limit: 200, for: Caller(user: UserID(user))).json)
            shown.append(try await engine.notificationConfig(for: .user(UserID(user)), by: admin).json)
        }
        shown.append(.array(await engine.pendingDeliveries.map { .string($0.id + " " + $0.notification.id) }))
        return shown
    }

    static func history(_ engine: Engine) async throws {
        var settings = NotificationSettings()
        settings.channels = ["in_app", "email"]
        settings.recipients = ["assignee", "watchers", "mentioned"]
        _ = try await engine.configureNotifications(settings, for: .serverDefault, by: admin)
        var input = NewTask(title: "Quarterly report")
        input.assignee = "bob"
        input.description = "Numbers from @dave."
        let task = try await engine.create(input, by: alice).value.task
        _ = try await engine.watch(task.id, userID: "carol", by: admin)
        _ = try await engine.addComment(NewComment(taskID: task.id, text: "Ready?"), by: admin)
        let bobs = try await engine.notifications(for: bob).notifications.compactMap { $0["id"]?.stringValue }
        _ = try await engine.markNotificationsRead([bobs[0]], by: bob)
        let first = try #require(await engine.pendingDeliveries.first)
        _ = try await engine.recordDelivery(first.id, delivered: true, attempts: 1)
    }

    @Test func replayASnapshotAndAnExportRebuildTheSameInboxes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var before: [JSONValue] = []
        do {
            let store = try FileStore.open(directory: directory.path)
            let engine = try Engine.open(store: store, clock: ManualTimeSource("2024-01-15T10:00:00Z"))
            for (id, role) in [
                ("alice", "member"), ("bob", "member"), ("carol", "member"), ("dave", "member"), ("erin", "admin"),
            ] {
                _ = try await engine.upsertUser(UserInput(userID: UserID(id), name: id, role: role), by: .system)
            }
            try await Self.history(engine)
            before = try await Self.everything(engine)
            #expect(await engine.pendingDeliveries.count == 3)
            store.close()
        }
        let store = try FileStore.open(directory: directory.path)
        defer { store.close() }
        let replayed = try Engine.open(store: store)
        #expect(try await Self.everything(replayed) == before)
        // From a snapshot of that state, and through an export into an empty store.
        let snapshot = try EngineState(snapshot: await replayed.state.snapshotBytes())
        #expect(snapshot.notifications.inboxes == (await replayed.state.notifications.inboxes))
        #expect(snapshot.notifications.pending == (await replayed.state.notifications.pending))
        #expect(snapshot.notifications.configs == (await replayed.state.notifications.configs))
        #expect(snapshot.notifications.defaultConfig == (await replayed.state.notifications.defaultConfig))
        let document = await replayed.exportDocument()
        #expect(document["notification_configs"]?.arrayValue?.count == 1)
        let imported = try Engine.importDocument(document, into: MemoryStore())
        #expect(try await Self.everything(imported) == before)
        // Notification events stay out of the public feed.
        let feed = try await replayed.feedEvents(after: .start, limit: 100, retention: 1_000_000)
        #expect(feed.events.allSatisfy { !$0.type.rawValue.hasPrefix("notification") })
    }
}

/// The scheduler's reminders reach people like any other change: `task_overdue` and `task_due_soon` are made
/// by `system`, so nobody is left out as their actor.
@Suite(.closesTestStores)
struct ReminderNotificationTests {
    @Test func overdueAndDueSoonReachTheAssigneeAndWatchersAsConfigured() async throws {
        let fixture = try await NotificationTests.directory()
        await fixture.engine.startScheduler()
        try await NotificationTests.configure(
            fixture, ["bob", "carol"], recipients: ["assignee", "watchers"],
            events: ["task_overdue", "task_due_soon"])
        var input = NewTask(title: "Quarterly report")
        input.assignee = "bob"
        input.dueDate = OverdueTests.due(fixture, inHours: 3)
        let task = try await fixture.engine.create(input, by: NotificationTests.alice).value.task
        _ = try await fixture.engine.watch(task.id, userID: "carol", by: NotificationTests.admin)
        // The lead is --remind-before-minutes (60): due soon after two hours, overdue after three.
        try await OverdueTests.advance(fixture, hours: 2.5)
        try await OverdueTests.advance(fixture, hours: 1)
        for user in ["bob", "carol"] {
            let inbox = try await NotificationTests.inbox(fixture, user)
            #expect(NotificationTests.types(inbox) == ["task_overdue", "task_due_soon"], "\(user)")
            #expect(inbox.allSatisfy { $0["task_id"]?.stringValue == task.id.description })
        }
        // Alice created the task but asked for nothing; dave is not involved.
        #expect(try await NotificationTests.inbox(fixture, "alice").isEmpty)
        #expect(try await NotificationTests.inbox(fixture, "dave").isEmpty)
    }
}
