import JSON
import StoreTestSupport
import Testing

@testable import TaskEngine

/// The lead of `task_due_soon` follows the assignee's `remind_before_minutes`, then the default
/// configuration's, then `--remind-before-minutes`; changing a configuration re-plans the timers at once.
@Suite(.closesTestStores)
struct ReminderLeadTests {
    static func world() async throws -> Fixture {
        let fixture = try await OverdueTests.started()
        for id in ["ann", "bob"] {
            _ = try await fixture.engine.upsertUser(
                UserInput(userID: UserID(id), name: id, role: "member"), by: .system)
        }
        return fixture
    }

    static func remind(_ fixture: Fixture, _ target: NotificationTarget, minutes: Int?) async throws {
        var settings = NotificationSettings()
        settings.remindBeforeMinutes = minutes.map { .set($0) } ?? .clear
        _ = try await fixture.engine.configureNotifications(settings, for: target, by: .system)
    }

    @Test func theAssigneesOwnLeadWinsOverTheDefaults() async throws {
        let fixture = try await Self.world()
        try await Self.remind(fixture, .user("ann"), minutes: 30)
        let anns = try await fixture.create("Ann's") {
            $0.assignee = "ann"
            $0.dueDate = OverdueTests.due(fixture, inHours: 2)
        }
        let bobs = try await fixture.create("Bob's") {
            $0.assignee = "bob"
            $0.dueDate = OverdueTests.due(fixture, inHours: 2)
        }
        // --remind-before-minutes (60) for bob, ann's own 30 minutes for her.
        #expect(await fixture.engine.reminderTimerDeadline == bobs.dueDate?.adding(seconds: -3600))
        try await OverdueTests.advance(fixture, hours: 1.25)
        #expect(try await OverdueTests.fired(fixture.engine).map(\.1) == [bobs.id])
        try await OverdueTests.advance(fixture, hours: 0.25)
        #expect(try await OverdueTests.fired(fixture.engine).map(\.1) == [bobs.id, anns.id])
        let leads = try await OverdueTests.reminders(fixture.engine).map { $0.detail?["lead_seconds"]?.intValue }
        #expect(leads == [3600, 1800])
    }

    @Test func changingALeadReplansTheTimersAtOnce() async throws {
        let fixture = try await Self.world()
        let task = try await fixture.create("Report") {
            $0.assignee = "ann"
            $0.dueDate = OverdueTests.due(fixture, inHours: 5)
        }
        #expect(await fixture.engine.reminderTimerDeadline == task.dueDate?.adding(seconds: -3600))
        // The default configuration's lead replaces --remind-before-minutes for everyone.
        try await Self.remind(fixture, .serverDefault, minutes: 120)
        #expect(await fixture.engine.reminderTimerDeadline == task.dueDate?.adding(seconds: -7200))
        // Ann's own 0 turns her reminders off: when the default's reminder time passes, nothing fires.
        try await Self.remind(fixture, .user("ann"), minutes: 0)
        try await OverdueTests.advance(fixture, hours: 3.5)
        #expect(try await OverdueTests.fired(fixture.engine).isEmpty)
        // Null gives the default's back; its time has passed, so the reminder comes at once.
        try await Self.remind(fixture, .user("ann"), minutes: nil)
        try await OverdueTests.settled(fixture.engine)
        #expect(try await OverdueTests.fired(fixture.engine).map(\.0) == [.taskDueSoon])
        try await OverdueTests.advance(fixture, hours: 2)
        #expect(try await OverdueTests.fired(fixture.engine).map(\.0) == [.taskDueSoon, .taskOverdue])
    }
}
