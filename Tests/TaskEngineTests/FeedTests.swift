import JSON
import Locking
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// The event feed: which feed events each change yields, the state they carry, and cursors.
@Suite(.closesTestStores)
struct FeedTests {
    let fixture: Fixture

    init() throws { fixture = try Fixture() }

    /// Every feed event so far, in one page.
    func feed(after cursor: FeedCursor = .start, types: Set<FeedEventType>? = nil) async throws -> [FeedEvent] {
        try await fixture.durable()
        return try await fixture.engine.feedEvents(after: cursor, limit: 1_000, types: types, retention: 1_000_000)
            .events
    }

    @Test func eachChangeYieldsOneEventPerKind() async throws {
        let task = try await fixture.create("Call back", by: "user123") { $0.assignee = "user456" }
        try await fixture.update(task.id) { $0.title = "Call back today" }
        try await fixture.setStatus(task.id, .inProgress)
        // Reassigning and completing in one update: one task_completed and one task_assigned, no task_updated.
        try await fixture.update(task.id) {
            $0.assignee = .some("user789")
            $0.status = "completed"
        }
        try await fixture.setStatus(task.id, .pending)
        try await fixture.setStatus(task.id, .cancelled)
        _ = try await fixture.engine.addComment(NewComment(taskID: task.id, text: "done"), by: .system)
        _ = try await fixture.engine.watch(task.id, userID: "user456", by: .system)
        _ = try await fixture.engine.delete(task.id, by: .system)
        let events = try await feed()
        #expect(
            events.map(\.type.rawValue) == [
                "task_created", "task_updated", "task_updated", "task_completed", "task_assigned", "task_reopened",
                "task_cancelled", "comment_added", "watcher_added", "task_deleted",
            ])
        #expect(events.map(\.cursor.seq) == [1, 2, 3, 4, 4, 5, 6, 7, 8, 9])
        #expect(events.map(\.cursor.index) == [0, 0, 0, 0, 1, 0, 0, 0, 0, 0])
        // Ids sort as strings in commit order.
        #expect(events.map(\.id) == events.map(\.id).sorted())
        #expect(Set(events.map(\.id)).count == events.count)
    }

    @Test func eventsCarryTheTaskAsTheirCommitLeftItWithOldAndNewValues() async throws {
        let task = try await fixture.create("First title")
        try await fixture.update(task.id) { $0.title = "Second title" }
        try await fixture.update(task.id) { $0.priority = "high" }
        let events = try await feed()
        #expect(events.count == 3)
        let renamed = try #require(events.dropFirst().first?.json)
        #expect(renamed["object"]?["title"] == "Second title")
        #expect(renamed["object"]?["priority"] == "medium")
        #expect(renamed["object"]?["version"] == 2)
        #expect(renamed["changes"] == ["title": ["old": "First title", "new": "Second title"]])
        #expect(events.first?.json["object"]?["title"] == "First title")
        #expect(events.last?.json["object"]?["priority"] == "high")
        #expect(renamed["subject"] == ["type": "task", "id": .string(task.id.description)])
        #expect(renamed["actor"] == ["type": "user", "user_id": "user123"])
    }

    @Test func foldedStatesEqualTheStatesSeenAtCommit() async throws {
        let seen = Mutex<[FeedEvent]>([])
        _ = fixture.engine.feed.listen { commits in
            seen.withLock { seen in
                for commit in commits { seen += FeedEvent.events(of: commit.event, task: commit.task) }
            }
        }
        let first = try await fixture.create("One") { $0.tags = ["a"] }
        let second = try await fixture.create("Two")
        for round in 0..<5 {
            try await fixture.update(first.id) { $0.progress = round * 10 }
            _ = try await fixture.engine.addComment(NewComment(taskID: second.id, text: "c\(round)"), by: .system)
            try await fixture.update(second.id) { $0.tags = ["t\(round)"] }
        }
        _ = try await fixture.engine.watch(first.id, userID: "user456", by: .system)
        _ = try await fixture.engine.watch(first.id, userID: "user456", by: .system)
        let folded = try await feed()
        #expect(folded.map(\.json) == seen.withLock { $0 }.map(\.json))
        // Progress 0 and the second watch change nothing, so they are no events.
        #expect(folded.count == 17)
    }

    @Test func agentsAndSystemAreTypedActors() async throws {
        let task = try await fixture.engine.create(
            NewTask(title: "By a bot"), by: Caller(user: "user456", agent: "bot-1")
        ).value.task
        _ = try await fixture.engine.delete(task.id, by: .system)
        let events = try await feed()
        #expect(events.first?.json["actor"] == ["type": "agent", "user_id": "user456", "agent_id": "bot-1"])
        #expect(events.last?.json["actor"] == ["type": "system", "user_id": "system"])
    }

    @Test func identityEventsAreNeverInTheFeed() async throws {
        _ = try await fixture.engine.upsertUser(UserInput(userID: "ann", name: "Ann", role: "member"), by: .system)
        _ = try await fixture.create("After a user")
        let events = try await feed()
        #expect(events.map(\.type) == [.taskCreated])
        #expect(events.first?.cursor.seq == 2)
        let page = try await fixture.engine.feedEvents(after: .start, limit: 1, retention: 10)
        #expect(page.events.count == 1 && !page.hasMore)
    }

    @Test func pagesResumeExactlyFromTheirCursor() async throws {
        let task = try await fixture.create("Paged")
        for progress in 1...9 { try await fixture.update(task.id) { $0.progress = progress } }
        try await fixture.update(task.id) {
            $0.assignee = .some("user456")
            $0.title = "Paged and assigned"
        }
        let all = try await feed()
        var collected: [FeedEvent] = []
        var cursor = FeedCursor.start
        var pages = 0
        while true {
            let page = try await fixture.engine.feedEvents(after: cursor, limit: 3, retention: 1_000)
            collected += page.events
            cursor = page.nextCursor
            pages += 1
            if !page.hasMore { break }
        }
        #expect(collected == all)
        #expect(pages == 4)
        // Resuming from a cursor inside a commit returns the rest of that commit.
        let split = try await feed(after: FeedCursor(seq: 11, index: 0))
        #expect(split.map(\.type) == [.taskUpdated])
        #expect(try await feed(types: [.taskAssigned]).map(\.cursor.seq) == [11])
    }

    @Test func cursorsOlderThanTheRetentionExpire() async throws {
        let task = try await fixture.create("Retained")
        for progress in 1...4 { try await fixture.update(task.id) { $0.progress = progress } }
        try await fixture.durable()
        let expired = await engineError {
            _ = try await fixture.engine.feedEvents(after: .start, limit: 10, retention: 3)
        }
        #expect(expired == .cursorExpired(oldest: FeedCursor.after(commit: 2).description))
        #expect(expired?.json["oldest_cursor"] == "evt_0000000000000002ffff")
        let kept = try await fixture.engine.feedEvents(after: .after(commit: 2), limit: 10, retention: 3)
        #expect(kept.events.map(\.cursor.seq) == [3, 4, 5])
    }

    @Test(arguments: [
        "", "evt_", "evt_0000000000000001000", "evt_00000000000000010000x", "EVT_00000000000000010000",
        "evt_0000000000000001000G", "evt_000000000000000A0000",
    ])
    func malformedCursorsDoNotParse(text: String) {
        #expect(FeedCursor(text) == nil)
    }

    @Test func cursorsRoundTrip() {
        for cursor in [FeedCursor.start, FeedCursor(seq: 42, index: 1), FeedCursor(seq: .max, index: 7)] {
            #expect(FeedCursor(cursor.description) == cursor)
        }
        #expect(FeedCursor(seq: 42, index: 1).description == "evt_000000000000002a0001")
        #expect(FeedCursor(seq: 2, index: 0) < FeedCursor(seq: 2, index: 1))
        #expect(FeedCursor(seq: 2, index: .max) < FeedCursor(seq: 3, index: 0))
    }

    @Test func theReleaseFixtureYieldsFeedEventsForItsTasksOnly() async throws {
        let task = try await fixture.create("Mapped")
        let event = try #require(try await fixture.engine.history(task.id).events.first)
        #expect(FeedEvent.events(of: event, task: nil).map(\.type) == [.taskCreated])
        var identity = event
        identity.type = .userUpserted
        #expect(FeedEvent.events(of: identity, task: nil).isEmpty)
    }
}
