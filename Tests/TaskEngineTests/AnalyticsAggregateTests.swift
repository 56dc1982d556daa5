import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// Proves the running analytics aggregates right: after random creates, updates, completions and deletes,
/// and after a restart (journal replay and snapshot load), every answer equals the same figures counted
/// from scratch over every task.
@Suite(.closesTestStores)
struct AnalyticsAggregateTests {
    static let assignees: [UserID] = ["ann", "bob", "cy", "dee"]
    static let bots = ["support_bot", "sales_bot", "ops_bot"]
    static let tagPool = ["support", "urgent", "billing", "vip"]

    /// Builds a random data set through the engine's methods; returns the creation time of every task.
    static func populate(_ fixture: Fixture, count: Int, seed: UInt64) async throws -> [Timestamp] {
        var random = SeededRandom(seed: seed)
        var ids: [TaskID] = []
        var created: [Timestamp] = []
        for _ in 0..<count {
            fixture.clock.advance(seconds: Int64.random(in: 0...600, using: &random))
            let task = try await fixture.create("Task", by: Bool.random(using: &random) ? "ann" : "bob") { input in
                if Int.random(in: 0..<5, using: &random) > 0 {
                    input.assignee = assignees.randomElement(using: &random)
                }
                input.priority = TaskPriority.allCases.randomElement(using: &random)?.rawValue
                input.tags = tagPool.filter { _ in Int.random(in: 0..<3, using: &random) == 0 }
                if Int.random(in: 0..<3, using: &random) > 0 {
                    input.context = ["bot_id": .string(bots.randomElement(using: &random) ?? "")]
                }
                if Int.random(in: 0..<3, using: &random) > 0 {
                    input.dueDate = .epochSeconds(
                        Double(
                            fixture.clock.now().microseconds / 1_000_000 + Int64.random(in: 60...7200, using: &random)))
                }
            }
            ids.append(task.id)
            created.append(task.createdAt)
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                guard let target = ids.randomElement(using: &random),
                    let current = try? await fixture.engine.task(target)
                else { continue }
                try await mutate(fixture, target, current, using: &random)
            }
        }
        return created
    }

    private static func mutate(
        _ fixture: Fixture, _ target: TaskID, _ current: TaskItem, using random: inout SeededRandom
    ) async throws {
        switch Int.random(in: 0..<10, using: &random) {
        case 0, 1, 2, 3:
            // Forward along the life of a task: start it, or complete it.
            if current.status == .pending {
                try await fixture.setStatus(target, .inProgress)
            } else if current.status == .inProgress {
                _ = try await fixture.engine.complete(target, Completion(), by: .system)
            }
        case 4:
            if current.status.isOpen { try await fixture.setStatus(target, .cancelled) }
            if !current.status.isOpen { try await fixture.setStatus(target, .pending) }
        case 5:
            try await fixture.update(target) {
                $0.priority = TaskPriority.allCases.randomElement(using: &random)?.rawValue
                $0.assignee = .some(Bool.random(using: &random) ? nil : assignees.randomElement(using: &random))
            }
        case 6:
            try await fixture.update(target) {
                $0.tags = tagPool.filter { _ in Bool.random(using: &random) }
                $0.context = ["bot_id": .string(bots.randomElement(using: &random) ?? "")]
            }
        case 7:
            let later = fixture.clock.now().microseconds / 1_000_000 + Int64.random(in: 60...3600, using: &random)
            try await fixture.update(target) { $0.dueDate = .some(.epochSeconds(Double(later))) }
        case 8:
            _ = try await fixture.engine.delete(target, by: .system)
        default:
            try await fixture.update(target) { $0.title = "Renamed" }
        }
    }

    /// Every kind of query: no filter, each single filter (answered from tallies), windows and combinations.
    static func queries(created: [Timestamp]) -> [ResolvedAnalyticsQuery] {
        var queries: [ResolvedAnalyticsQuery] = [ResolvedAnalyticsQuery()]
        func add(_ change: (inout ResolvedAnalyticsQuery) -> Void) {
            var query = ResolvedAnalyticsQuery()
            change(&query)
            queries.append(query)
        }
        for user in assignees + ["nobody"] { add { $0.assignee = user } }
        add { $0.unassigned = true }
        for bot in bots + ["no_bot"] { add { $0.botID = bot } }
        for tag in tagPool + ["none"] { add { $0.tags = [tag] } }
        add { $0.tags = ["support", "urgent"] }
        add {
            $0.assignee = "ann"
            $0.botID = "support_bot"
        }
        add {
            $0.unassigned = true
            $0.tags = ["vip"]
        }
        let first = created.first?.microseconds ?? 0
        let last = created.last?.microseconds ?? 0
        let middle = created[created.count / 2].microseconds
        for (from, to) in [(first, middle), (middle, last), (middle, nil), (nil, middle), (first + 1, last + 1)] {
            add {
                $0.from = from
                $0.to = to
            }
            add {
                $0.from = from
                $0.to = to
                $0.assignee = "bob"
            }
            add {
                $0.from = from
                $0.to = to
                $0.botID = "sales_bot"
                $0.tags = ["billing"]
            }
        }
        // Bounds exactly at a task's creation time: from is inclusive, to exclusive.
        let exact = created[created.count / 3].microseconds
        add { $0.from = exact }
        add { $0.to = exact }
        return queries
    }

    /// Checks every query's running answer against a count from scratch, at several instants.
    static func expectAggregatesMatchScan(
        _ ledger: TaskLedger, created: [Timestamp], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let instants = [created[0], created[created.count / 2], created[created.count - 1].adding(seconds: 100_000)]
        for query in queries(created: created) {
            for now in instants {
                let running = ledger.analyticsFigures(query, now: now)
                let scanned = ledger.analyticsFiguresByScan(query, now: now)
                #expect(running == scanned, "\(query) at \(now)", sourceLocation: sourceLocation)
            }
        }
        // The running structures themselves equal aggregates rebuilt from the live tasks.
        var rebuilt = AnalyticsAggregates()
        for slot in 0..<ledger.tasks.count where !ledger.tasks[slot].isDeleted {
            rebuilt.insert(ledger.tasks[slot], at: Int32(slot))
        }
        #expect(Self.summary(of: ledger.analytics) == Self.summary(of: rebuilt), sourceLocation: sourceLocation)
    }

    /// Everything the aggregates hold, in comparable form: each tally's counts and tracked due dates.
    static func summary(of aggregates: AnalyticsAggregates) -> [String] {
        func line(_ name: String, _ tally: AnalyticsTally) -> String {
            let counts = tally.counts
            let assignees = counts.assignees.map { "\($0.key)=\($0.value)" }.sorted()
            return "\(name): \(counts.total) \(counts.statuses) \(counts.priorityTotals) \(counts.priorityCompleted) "
                + "\(counts.timed) \(counts.completionMicros) \(assignees) "
                + "\(tally.overdue.entries)"
        }
        var lines = [line("all", aggregates.all), line("unassigned", aggregates.unassigned)]
        lines += aggregates.byAssignee.map { line("assignee \($0.key)", $0.value) }.sorted()
        lines += aggregates.byBot.map { line("bot \($0.key)", $0.value) }.sorted()
        lines += aggregates.byTag.map { line("tag \($0.key)", $0.value) }.sorted()
        lines += aggregates.blocks.enumerated().map { line("block \($0.offset)", $0.element) }
        lines += aggregates.slotsByBot.map { "slots \($0.key): \($0.value.elements)" }.sorted()
        return lines
    }

    @Test func runningAggregatesEqualAFromScratchCountAfterRandomChanges() async throws {
        let fixture = try Fixture()
        let created = try await Self.populate(fixture, count: 300, seed: 11)
        let ledger = await fixture.engine.state.tasks
        #expect(ledger.liveCount < created.count)
        #expect(
            ledger.analytics.all.counts.statuses[TaskStatus.completed.index] > 0,
            "\(ledger.analytics.all.counts.statuses)")
        Self.expectAggregatesMatchScan(ledger, created: created)
    }

    @Test func aggregatesAreRebuiltOnRestartFromTheJournalAndFromSnapshots() async throws {
        // A low threshold makes the engine take snapshots while the data set is built.
        for threshold in [100_000, 40] {
            let fixture = try Fixture(snapshotThreshold: threshold)
            let created = try await Self.populate(fixture, count: 200, seed: 12)
            let before = Self.summary(of: await fixture.engine.state.tasks.analytics)
            let reopened = try fixture.reopen()
            let ledger = await reopened.state.tasks
            #expect(Self.summary(of: ledger.analytics) == before)
            Self.expectAggregatesMatchScan(ledger, created: created)
        }
    }

    @Test func windowsOverManyBlocksMergeWholeBlocksAndVisitOnlyTheEdges() throws {
        // Loaded straight into a ledger (as a snapshot load does), enough tasks for several whole blocks.
        var ledger = TaskLedger()
        var random = SeededRandom(seed: 13)
        var created: [Timestamp] = []
        var time = Timestamp(rfc3339: "2024-01-01T00:00:00Z") ?? .minimum
        let count = 2 * AnalyticsAggregates.blockSize + 1234
        for index in 0..<count {
            time = time.adding(seconds: Int64.random(in: 0...3, using: &random))
            var task = TaskItem(rawID: UInt64(index + 1), title: "T", createdAt: time, createdBy: "ann")
            task.assignee = Self.assignees.randomElement(using: &random)
            task.priority = TaskPriority.allCases.randomElement(using: &random) ?? .low
            task.tags = Self.tagPool.filter { _ in Int.random(in: 0..<3, using: &random) == 0 }
            task.context = [.init(key: "bot_id", value: Self.bots.randomElement(using: &random) ?? "")]
            task.dueDate = time.adding(seconds: Int64.random(in: 1...20_000, using: &random))
            switch Int.random(in: 0..<4, using: &random) {
            case 0: task.status = .inProgress
            case 1:
                task.status = .completed
                task.completedAt = time.adding(seconds: Int64.random(in: 1...90_000, using: &random))
            case 2: task.status = .cancelled
            default: break
            }
            task.isDeleted = Int.random(in: 0..<20, using: &random) == 0
            _ = try ledger.load(task: task)
            created.append(time)
        }
        Self.expectAggregatesMatchScan(ledger, created: created)
        // A window over everything visits two blocks at most, yet counts every task.
        var everything = ResolvedAnalyticsQuery()
        everything.from = created[0].microseconds
        #expect(ledger.analyticsVisits(everything) <= 2 * AnalyticsAggregates.blockSize)
        #expect(ledger.analyticsFigures(everything, now: time).total == ledger.liveCount)
    }
}
