import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// Proves the list indexes right by comparing every answer with a brute-force filter and sort.
@Suite(.closesTestStores)
struct ListTests {
    static let assignees: [UserID] = ["ann", "bob", "cy", "dee", "eve"]
    static let tagPool = ["support", "urgent", "billing", "vip", "bug", "ops"]
    static let words = ["Refund", "call", "Review", "invoice", "crash", "Follow", "up", "customer", "überprüfen"]

    /// Builds a random data set through the engine's methods, with updates and deletes mixed in.
    static func populate(_ fixture: Fixture, count: Int, seed: UInt64) async throws -> [TaskID] {
        var random = SeededRandom(seed: seed)
        var ids: [TaskID] = []
        for index in 0..<count {
            if Int.random(in: 0..<4, using: &random) > 0 {
                fixture.clock.advance(seconds: Int64.random(in: 0...120, using: &random))
            }
            let task = try await fixture.create(
                (0..<3).map { _ in words.randomElement(using: &random) ?? "" }.joined(separator: " "),
                by: Bool.random(using: &random) ? "user123" : "user456"
            ) { input in
                if Bool.random(using: &random) {
                    input.description = "Ticket \(index) for " + (words.randomElement(using: &random) ?? "")
                }
                if Int.random(in: 0..<5, using: &random) > 0 {
                    input.assignee = assignees.randomElement(using: &random)
                }
                input.priority = TaskPriority.allCases.randomElement(using: &random)?.rawValue
                input.tags = tagPool.filter { _ in Int.random(in: 0..<3, using: &random) == 0 }
                if Int.random(in: 0..<4, using: &random) > 0 {
                    input.dueDate = .epochSeconds(
                        Double(
                            fixture.clock.now().microseconds / 1_000_000
                                + Int64.random(in: 60...864_000, using: &random)))
                }
            }
            ids.append(task.id)
            // Mutate an earlier task now and then.
            if index > 5, Int.random(in: 0..<2, using: &random) == 0, let target = ids.randomElement(using: &random),
                let current = try? await fixture.engine.task(target)
            {
                switch Int.random(in: 0..<7, using: &random) {
                case 0:
                    if current.status == .pending { try await fixture.setStatus(target, .inProgress) }
                case 1:
                    if current.status == .inProgress {
                        _ = try await fixture.engine.complete(target, Completion(), by: .system)
                    }
                case 2:
                    if current.status.isOpen { try await fixture.setStatus(target, .cancelled) }
                case 3:
                    try await fixture.update(target) {
                        $0.priority = TaskPriority.allCases.randomElement(using: &random)?.rawValue
                    }
                case 4:
                    try await fixture.update(target) {
                        $0.assignee = .some(Bool.random(using: &random) ? nil : assignees.randomElement(using: &random))
                        $0.tags = tagPool.filter { _ in Int.random(in: 0..<3, using: &random) == 0 }
                    }
                case 5:
                    try await fixture.update(target) { $0.dueDate = .some(nil) }
                default:
                    _ = try await fixture.engine.delete(target, by: .system)
                }
            }
        }
        // Let time pass so that some due dates are in the past, and let the scheduler mark them overdue.
        fixture.clock.advance(seconds: 3 * 86_400)
        await fixture.engine.startScheduler()
        return ids
    }

    /// The documented semantics, spelled out the slow way.
    static func reference(_ tasks: [TaskItem], _ query: TaskQuery, now: Timestamp) -> (ids: [TaskID], total: Int) {
        let statuses = Set(query.statuses.compactMap(TaskStatus.init(rawValue:)))
        let priorities = Set(query.priorities.compactMap(TaskPriority.init(rawValue:)))
        let before = query.dueBefore?.timestamp
        let after = query.dueAfter?.timestamp
        let updatedAfter = query.updatedAfter?.timestamp
        let needle = query.search?.lowercased()
        let matching = tasks.filter { task in
            if !statuses.isEmpty, !statuses.contains(task.status) { return false }
            if !priorities.isEmpty, !priorities.contains(task.priority) { return false }
            if let assignee = query.assignee, task.assignee != assignee { return false }
            if let before, !(task.dueDate.map { $0 < before } ?? false) { return false }
            if let after, !(task.dueDate.map { $0 > after } ?? false) { return false }
            if let updatedAfter, !(task.updatedAt > updatedAfter) { return false }
            if let creator = query.createdBy, task.createdBy.text != creator { return false }
            if !query.tags.allSatisfy(task.tags.contains) { return false }
            if let needle, !task.title.lowercased().contains(needle),
                !(task.description?.lowercased().contains(needle) ?? false)
            {
                return false
            }
            // Overdue: open, and due before now (every such task's task_overdue has fired by now).
            if query.overdue, !(task.status.isOpen && task.dueDate.map { $0 <= now } ?? false) { return false }
            return true
        }
        let sort = TaskQuery.SortKey(rawValue: query.sort ?? "created_at") ?? .createdAt
        let ascending = query.order.map { $0 == "asc" } ?? sort.defaultAscending
        func less(_ lhs: TaskItem, _ rhs: TaskItem) -> Bool {
            switch sort {
            case .createdAt: return lhs.id < rhs.id
            case .updatedAt: return (lhs.updatedAt, lhs.id) < (rhs.updatedAt, rhs.id)
            case .priority: return (lhs.priority.rank, lhs.id) < (rhs.priority.rank, rhs.id)
            case .dueDate:
                guard let left = lhs.dueDate, let right = rhs.dueDate else { return lhs.id < rhs.id }
                return (left, lhs.id) < (right, rhs.id)
            }
        }
        let sorted = matching.sorted { lhs, rhs in
            if sort == .dueDate, (lhs.dueDate == nil) != (rhs.dueDate == nil) { return lhs.dueDate != nil }
            return ascending ? less(lhs, rhs) : less(rhs, lhs)
        }
        let start = (query.page - 1) * query.limit
        let page = sorted.dropFirst(start).prefix(query.limit).map(\.id)
        return (Array(page), matching.count)
    }

    static func liveTasks(_ fixture: Fixture, _ ids: [TaskID]) async -> [TaskItem] {
        var tasks: [TaskItem] = []
        for id in ids { if let task = try? await fixture.engine.task(id) { tasks.append(task) } }
        return tasks
    }

    static func randomQuery(_ random: inout SeededRandom, now: Timestamp) -> TaskQuery {
        var query = TaskQuery()
        func maybe() -> Bool { Int.random(in: 0..<3, using: &random) == 0 }
        if maybe() {
            query.statuses = TaskStatus.allCases.filter { _ in Bool.random(using: &random) }.map(\.rawValue)
        }
        if maybe() {
            query.priorities = TaskPriority.allCases.filter { _ in Bool.random(using: &random) }.map(\.rawValue)
        }
        if maybe() { query.assignee = (assignees + ["nobody"]).randomElement(using: &random) }
        if maybe() { query.tags = tagPool.filter { _ in Int.random(in: 0..<4, using: &random) == 0 } }
        let seconds = now.microseconds / 1_000_000
        if maybe() {
            query.dueBefore = .epochSeconds(Double(seconds + Int64.random(in: -400_000...900_000, using: &random)))
        }
        if maybe() {
            query.dueAfter = .text(
                Timestamp(microseconds: (seconds + Int64.random(in: -600_000...600_000, using: &random)) * 1_000_000)
                    .rfc3339)
        }
        if maybe() {
            query.updatedAfter = .epochSeconds(Double(seconds + Int64.random(in: -400_000...0, using: &random)))
        }
        if maybe() { query.createdBy = ["user123", "user456", "nobody"].randomElement(using: &random) }
        if Int.random(in: 0..<6, using: &random) == 0 {
            query.search = ["refund", "CALL", "über", "ticket 1", "zzz"].randomElement(using: &random)
        }
        if Int.random(in: 0..<6, using: &random) == 0 { query.overdue = true }
        query.sort = TaskQuery.SortKey.allCases.randomElement(using: &random)?.rawValue
        query.order = [nil, "asc", "desc"].randomElement(using: &random) ?? nil
        query.limit = [1, 5, 20, 200].randomElement(using: &random) ?? 20
        query.page = Int.random(in: 1...4, using: &random)
        return query
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func listMatchesBruteForce(seed: UInt64) async throws {
        let fixture = try Fixture()
        let ids = try await Self.populate(fixture, count: 400, seed: seed)
        let live = await Self.liveTasks(fixture, ids)
        let now = fixture.clock.now()
        var random = SeededRandom(seed: seed &* 31)
        for _ in 0..<400 {
            let query = Self.randomQuery(&random, now: now)
            let page = try await fixture.engine.list(query)
            let expected = Self.reference(live, query, now: now)
            #expect(page.tasks.map(\.id) == expected.ids, "\(query)")
            #expect(page.total == expected.total, "\(query)")
        }
        // After a replay the indexes are rebuilt and answer the same.
        let reopened = try fixture.reopen()
        for _ in 0..<50 {
            let query = Self.randomQuery(&random, now: now)
            #expect(try await reopened.list(query).tasks.map(\.id) == Self.reference(live, query, now: now).ids)
        }
    }

    @Test func everySortKeyAndOrderWithPaging() async throws {
        let fixture = try Fixture()
        let ids = try await Self.populate(fixture, count: 150, seed: 9)
        let live = await Self.liveTasks(fixture, ids)
        let now = fixture.clock.now()
        for sort in TaskQuery.SortKey.allCases {
            for order in [nil, "asc", "desc"] {
                var query = TaskQuery()
                query.sort = sort.rawValue
                query.order = order
                query.limit = 7
                var collected: [TaskID] = []
                for page in 1...30 {
                    query.page = page
                    let result = try await fixture.engine.list(query)
                    #expect(result.total == live.count)
                    collected += result.tasks.map(\.id)
                }
                query.page = 1
                query.limit = 200
                #expect(collected == Self.reference(live, query, now: now).ids, "\(sort) \(order ?? "default")")
            }
        }
    }

    @Test func tasksWithoutDueDateComeLastInBothOrders() async throws {
        let fixture = try Fixture()
        let none = try await fixture.create("No due date")
        let late = try await fixture.create("Late") { $0.dueDate = .text("2024-03-01T00:00:00Z") }
        let soon = try await fixture.create("Soon") { $0.dueDate = .text("2024-02-01T00:00:00Z") }
        var query = TaskQuery()
        query.sort = "due_date"
        #expect(try await fixture.engine.list(query).tasks.map(\.id) == [soon.id, late.id, none.id])
        query.order = "desc"
        #expect(try await fixture.engine.list(query).tasks.map(\.id) == [late.id, soon.id, none.id])
    }

    @Test func tagsMeanAllOfThemAsAListOrArray() async throws {
        let fixture = try Fixture()
        let both = try await fixture.create("Both") { $0.tags = ["support", "urgent"] }
        _ = try await fixture.create("One") { $0.tags = ["support"] }
        var query = TaskQuery()
        query.tags = ["support", "urgent"]
        let page = try await fixture.engine.list(query)
        #expect(page.tasks.map(\.id) == [both.id])
        #expect(page.total == 1)
    }

    @Test func overdueMeansOpenAndPastDue() async throws {
        let fixture = try Fixture()
        let overdue = try await fixture.create("Overdue") { $0.dueDate = .text("2024-01-16T00:00:00Z") }
        let done = try await fixture.create("Done") { $0.dueDate = .text("2024-01-16T00:00:00Z") }
        try await fixture.setStatus(done.id, .inProgress)
        _ = try await fixture.engine.complete(done.id, Completion(), by: .system)
        _ = try await fixture.create("Later") { $0.dueDate = .text("2024-02-16T00:00:00Z") }
        _ = try await fixture.create("Never")
        await fixture.engine.startScheduler()
        fixture.clock.advance(seconds: 86_400)
        try await OverdueTests.settled(fixture.engine)
        var query = TaskQuery()
        query.overdue = true
        #expect(try await fixture.engine.list(query).tasks.map(\.id) == [overdue.id])
    }

    static let invalidQueries: [(String, @Sendable (inout TaskQuery) -> Void)] = [
        ("status", { $0.statuses = ["done"] }),
        ("priority", { $0.priorities = ["urgent"] }),
        ("page", { $0.page = 0 }),
        ("limit", { $0.limit = 0 }),
        ("limit", { $0.limit = 201 }),
        ("sort", { $0.sort = "title" }),
        ("order", { $0.order = "up" }),
        ("due_before", { $0.dueBefore = .text("tomorrow") }),
        ("due_after", { $0.dueAfter = .epochSeconds(1e20) }),
        ("q", { $0.search = "" }),
        ("tags", { $0.tags = [""] }),
    ]

    @Test func invalidQueriesNameTheirField() async throws {
        let fixture = try Fixture()
        for (field, configure) in Self.invalidQueries {
            var query = TaskQuery()
            configure(&query)
            let error = await engineError { _ = try await fixture.engine.list(query) }
            #expect(error?.details["field"] == .string(field), "\(field)")
        }
    }
}
