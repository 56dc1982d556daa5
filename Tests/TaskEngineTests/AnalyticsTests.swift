import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// `tasks.analytics` definitions on a small data set whose figures are worked out by hand.
@Suite(.closesTestStores)
struct AnalyticsTests {
    /// The world of every test here; the clock ends 3.5 hours after the start (2024-01-15T13:30:00Z).
    ///
    /// A (critical, ann, support_bot, billing) completed after 1 h; B (high, ann, billing+urgent, due at
    /// 11:00) still pending, so overdue; C (medium, bob, sales_bot) completed after 3.5 h; D (low, nobody)
    /// pending; E (low, bob) cancelled; F (medium, bob) deleted; H (medium, bob, support_bot) completed after
    /// 1 h; I (low, cy, unknown to the directory) pending; G (high, bob) created at 13:30, in progress.
    static func world() async throws -> Fixture {
        let fixture = try Fixture()
        // Overdue is what the scheduler fired (`task_overdue`), as in a running server.
        await fixture.engine.startScheduler()
        for (id, name) in [("ann", "Ann Lee"), ("bob", "Bob Stone")] {
            _ = try await fixture.engine.upsertUser(
                UserInput(userID: UserID(id), name: name, role: "member"), by: .system)
        }
        func make(
            _ title: String, _ priority: TaskPriority, _ assignee: UserID?, bot: String? = nil, tags: [String] = [],
            due: String? = nil
        ) async throws -> TaskID {
            try await fixture.create(title, by: "system") { input in
                input.priority = priority.rawValue
                input.assignee = assignee
                input.tags = tags
                if let bot { input.context = ["bot_id": .string(bot)] }
                input.dueDate = due.map(TimeInput.text)
            }.id
        }
        let a = try await make("A", .critical, "ann", bot: "support_bot", tags: ["billing"])
        _ = try await make("B", .high, "ann", tags: ["billing", "urgent"], due: "2024-01-15T11:00:00Z")
        let c = try await make("C", .medium, "bob", bot: "sales_bot")
        _ = try await make("D", .low, nil)
        let e = try await make("E", .low, "bob")
        let f = try await make("F", .medium, "bob")
        let h = try await make("H", .medium, "bob", bot: "support_bot")
        _ = try await make("I", .low, "cy")
        for id in [a, c, h] { try await fixture.setStatus(id, .inProgress) }
        fixture.clock.advance(seconds: 3600)
        for id in [a, h] { _ = try await fixture.engine.complete(id, Completion(), by: .system) }
        fixture.clock.advance(seconds: 9000)
        _ = try await fixture.engine.complete(c, Completion(), by: .system)
        try await fixture.setStatus(e, .cancelled)
        _ = try await fixture.engine.delete(f, by: .system)
        let g = try await make("G", .high, "bob")
        try await fixture.setStatus(g, .inProgress)
        try await OverdueTests.settled(fixture.engine)
        return fixture
    }

    static func report(
        _ fixture: Fixture, as caller: Caller = .system, _ change: (inout AnalyticsQuery) -> Void = { _ in }
    )
        async throws -> JSONValue
    {
        var query = AnalyticsQuery()
        change(&query)
        return try await fixture.engine.analytics(query, for: caller).json
    }

    static func priorities(_ counts: [(Int, Int)]) -> JSONValue {
        var object = JSONObject()
        for (name, (total, completed)) in zip(["critical", "high", "medium", "low"], counts) {
            object.append(name, ["total": .int(total), "completed": .int(completed)])
        }
        return .object(object)
    }

    static func assignee(_ id: String, _ name: String?, _ completed: Int, _ hours: Double?) -> JSONValue {
        [
            "user_id": .string(id), "name": name.map(JSONValue.string) ?? .null, "tasks_completed": .int(completed),
            "average_time_hours": hours.map(JSONValue.double) ?? .null,
        ]
    }

    static func summary(
        total: Int, completed: Int, inProgress: Int, overdue: Int, rate: Double?, hours: Double?
    ) -> JSONValue {
        [
            "total_tasks": .int(total), "completed": .int(completed), "in_progress": .int(inProgress),
            "overdue": .int(overdue), "completion_rate": rate.map(JSONValue.double) ?? .null,
            "average_completion_time_hours": hours.map(JSONValue.double) ?? .null,
        ]
    }

    @Test func everyLiveTaskCountsWithRatesAndHoursRoundedToHundredths() async throws {
        let fixture = try await Self.world()
        let report = try await Self.report(fixture)
        // 3 of 8 live tasks completed (0.375 rounds half up), (1 + 3.5 + 1) / 3 hours; F is deleted.
        let expected: JSONValue = [
            "summary": Self.summary(total: 8, completed: 3, inProgress: 1, overdue: 1, rate: 0.38, hours: 1.83),
            "by_priority": Self.priorities([(1, 1), (2, 0), (2, 2), (3, 0)]),
            "by_assignee": [
                Self.assignee("bob", "Bob Stone", 2, 2.25), Self.assignee("ann", "Ann Lee", 1, 1),
                Self.assignee("cy", nil, 0, nil),
            ],
        ]
        #expect(report == expected)
    }

    @Test func singleFiltersSelectTheirTasks() async throws {
        let fixture = try await Self.world()
        let ann = try await Self.report(fixture) { $0.assignee = "ann" }
        #expect(ann["summary"] == Self.summary(total: 2, completed: 1, inProgress: 0, overdue: 1, rate: 0.5, hours: 1))
        #expect(ann["by_assignee"] == [Self.assignee("ann", "Ann Lee", 1, 1)])

        let unassigned = try await Self.report(fixture) { $0.unassigned = true }
        #expect(
            unassigned["summary"]
                == Self.summary(total: 1, completed: 0, inProgress: 0, overdue: 0, rate: 0, hours: nil))
        #expect(unassigned["by_assignee"] == [])
        #expect(unassigned["by_priority"] == Self.priorities([(0, 0), (0, 0), (0, 0), (1, 0)]))

        let bot = try await Self.report(fixture) { $0.botID = "support_bot" }
        #expect(bot["summary"] == Self.summary(total: 2, completed: 2, inProgress: 0, overdue: 0, rate: 1, hours: 1))
        // A tie on completions is broken by user id.
        #expect(bot["by_assignee"] == [Self.assignee("ann", "Ann Lee", 1, 1), Self.assignee("bob", "Bob Stone", 1, 1)])

        let tags = try await Self.report(fixture) { $0.tags = ["billing", "urgent"] }
        #expect(tags["summary"] == Self.summary(total: 1, completed: 0, inProgress: 0, overdue: 1, rate: 0, hours: nil))
        #expect(tags["by_assignee"] == [Self.assignee("ann", "Ann Lee", 0, nil)])

        let nobody = try await Self.report(fixture) { $0.botID = "no_such_bot" }
        #expect(
            nobody["summary"] == Self.summary(total: 0, completed: 0, inProgress: 0, overdue: 0, rate: nil, hours: nil))
        #expect(nobody["by_priority"] == Self.priorities([(0, 0), (0, 0), (0, 0), (0, 0)]))
    }

    @Test func aWindowSelectsTasksCreatedFromItsStartUpToButExcludingItsEnd() async throws {
        let fixture = try await Self.world()
        let before = try await Self.report(fixture) {
            $0.from = .text("2024-01-15T10:00:00Z")
            $0.to = .text("2024-01-15T13:30:00Z")
        }
        #expect(before["summary"]?["total_tasks"] == 7)
        let late = try await Self.report(fixture) { $0.from = .text("2024-01-15T13:30:00Z") }
        #expect(late["summary"] == Self.summary(total: 1, completed: 0, inProgress: 1, overdue: 0, rate: 0, hours: nil))
        // Offsets and epoch seconds name the same instants.
        let offset = try await Self.report(fixture) {
            $0.from = .text("2024-01-15T11:00:00+01:00")
            $0.to = .epochSeconds(1_705_325_400)
            $0.assignee = "bob"
        }
        #expect(offset["summary"]?["total_tasks"] == 3)
        #expect(offset["summary"]?["completed"] == 2)
        let empty = try await Self.report(fixture) { $0.to = .text("2024-01-15T10:00:00Z") }
        #expect(
            empty["summary"] == Self.summary(total: 0, completed: 0, inProgress: 0, overdue: 0, rate: nil, hours: nil))
    }

    /// Overdue moves with the clock through the `task_overdue` events the scheduler fires.
    @Test func overdueFollowsTheClock() async throws {
        let fixture = try await Self.world()
        try await fixture.update(try taskID(Self.idOfTitle("B", in: fixture))) { $0.status = "in_progress" }
        #expect(try await Self.report(fixture)["summary"]?["overdue"] == 1)
        let later = try await fixture.create("Later") { $0.dueDate = .text("2024-01-15T14:00:00Z") }
        #expect(try await Self.report(fixture)["summary"]?["overdue"] == 1)
        fixture.clock.set(Timestamp(rfc3339: "2024-01-15T14:00:00.000001Z") ?? .minimum)
        try await OverdueTests.settled(fixture.engine)
        #expect(try await Self.report(fixture)["summary"]?["overdue"] == 2)
        try await fixture.setStatus(later.id, .cancelled)
        #expect(try await Self.report(fixture)["summary"]?["overdue"] == 1)
    }

    static func idOfTitle(_ title: String, in fixture: Fixture) async throws -> String {
        var query = TaskQuery()
        query.limit = 100
        let page = try await fixture.engine.list(query)
        return page.tasks.first { $0.title == title }?.id.description ?? ""
    }

    @Test func membersSeeWhatTheyMayListEveryTaskIncluded() async throws {
        let fixture = try await Self.world()
        let member = Caller(user: "zed", role: .member)
        #expect(try await Self.report(fixture, as: member) == (try await Self.report(fixture)))
        let agent = Caller(user: "helper_bot", role: .agent)
        #expect(try await Self.report(fixture, as: agent) == (try await Self.report(fixture)))
    }

    /// Queries each wrong in one field, with the field.
    static let badQueries: [(String, AnalyticsQuery)] = {
        func query(_ change: (inout AnalyticsQuery) -> Void) -> AnalyticsQuery {
            var query = AnalyticsQuery()
            change(&query)
            return query
        }
        return [
            ("from", query { $0.from = .text("yesterday") }),
            ("to", query { $0.to = .epochSeconds(1e300) }),
            (
                "to",
                query {
                    $0.from = .text("2024-01-15T10:00:00Z")
                    $0.to = .text("2024-01-15T10:00:00Z")
                }
            ),
            ("assignee", query { $0.assignee = "" }),
            ("bot_id", query { $0.botID = "" }),
            ("tags", query { $0.tags = ["ok", ""] }),
        ]
    }()

    @Test(arguments: badQueries)
    func badFiltersAreRefusedNamingTheField(field: String, query: AnalyticsQuery) async throws {
        let fixture = try Fixture()
        let error = await engineError { _ = try await fixture.engine.analytics(query) }
        #expect(error == .invalidField(field: field, error: "invalid_params", message: error?.message ?? ""))
    }
}
