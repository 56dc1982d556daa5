import Foundation
import JSON
import TaskStore
import Testing

@testable import TaskEngine

/// A manual check, not a unit test: builds a million tasks and prints how long lists, replay and snapshots
/// take. Nothing is asserted about time. Run it in release mode with
/// `TASKWIRE_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter ScaleBenchmark`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["TASKWIRE_BENCH"] == "1"))
struct ScaleBenchmark {
    static func residentMiB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = text.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
        return pages * 4096 / 1_048_576
    }

    static func measure<T>(_ label: String, _ body: () async throws -> T) async rethrows -> T {
        let clock = ContinuousClock()
        let start = clock.now
        let value = try await body()
        let elapsed = clock.now - start
        FileHandle.standardError.write(Data("\(label): \(elapsed)\n".utf8))
        return value
    }

    @Test func millionTasks() async throws {
        let count = Int(ProcessInfo.processInfo.environment["TASKWIRE_BENCH_COUNT"] ?? "") ?? 1_000_000
        let store = MemoryStore()
        let time = ManualTimeSource("2024-01-15T10:00:00Z")
        let engine = try Engine.open(store: store, clock: time, snapshotThreshold: Int.max)
        var random = SeededRandom(seed: 42)
        let before = Self.residentMiB()
        var ids: [TaskID] = []
        ids.reserveCapacity(count)
        try await Self.measure("create \(count)") {
            for index in 0..<count {
                if index % 10 == 0 { time.advance(seconds: 1) }
                var input = NewTask(title: "Follow up with customer about ticket \(index)")
                input.assignee = UserID("user\(Int.random(in: 0..<1000, using: &random))")
                input.priority = TaskPriority.allCases.randomElement(using: &random)?.rawValue
                input.tags = ["tag\(Int.random(in: 0..<50, using: &random))"]
                if Int.random(in: 0..<4, using: &random) > 0 {
                    input.dueDate = .epochSeconds(
                        Double(time.now().microseconds / 1_000_000 + Int64.random(in: 3600...8_640_000, using: &random))
                    )
                }
                input.context = ["conversation_id": .string("conv_\(index)"), "bot_id": "support_bot"]
                ids.append(try await engine.create(input, by: Caller(user: "bot")).value.task.id)
            }
        }
        await Self.measure("update 200000 (status)") {
            for _ in 0..<200_000 {
                guard let id = ids.randomElement(using: &random) else { continue }
                var patch = TaskPatch()
                patch.status = "in_progress"
                _ = try? await engine.update(id, patch, by: .system)
            }
        }
        let after = Self.residentMiB()
        FileHandle.standardError.write(
            Data(
                "resident: \(Int(after - before)) MiB for \(count) tasks (\(Int((after - before) * 1_048_576 / Double(count))) bytes/task incl. history)\n"
                    .utf8))
        time.advance(seconds: 86_400 * 30)

        var queries: [(String, TaskQuery)] = []
        for sort in TaskQuery.SortKey.allCases {
            for order in ["asc", "desc"] {
                var query = TaskQuery()
                query.sort = sort.rawValue
                query.order = order
                queries.append(("all sort=\(sort.rawValue) \(order)", query))
            }
        }
        func add(_ label: String, _ configure: (inout TaskQuery) -> Void) {
            for sort in TaskQuery.SortKey.allCases {
                var query = TaskQuery()
                configure(&query)
                query.sort = sort.rawValue
                queries.append(("\(label) sort=\(sort.rawValue)", query))
            }
        }
        add("status=pending") { $0.statuses = ["pending"] }
        add("status=in_progress") { $0.statuses = ["in_progress"] }
        add("assignee=user7") { $0.assignee = "user7" }
        add("priority=high") { $0.priorities = ["high"] }
        add("tag=tag3") { $0.tags = ["tag3"] }
        add("status+priority") {
            $0.statuses = ["pending"]
            $0.priorities = ["critical"]
        }
        add("assignee+status") {
            $0.assignee = "user7"
            $0.statuses = ["in_progress"]
        }
        add("overdue") { $0.overdue = true }
        add("due window") {
            $0.dueAfter = .text("2024-03-01T00:00:00Z")
            $0.dueBefore = .text("2024-03-02T00:00:00Z")
        }
        add("page 50") { $0.page = 50 }
        add("q=ticket 99999") { $0.search = "ticket 99999" }
        for (label, query) in queries {
            let clock = ContinuousClock()
            var best = Duration.seconds(1000)
            var total = 0
            for _ in 0..<5 {
                let start = clock.now
                total = try await engine.list(query).total
                best = min(best, clock.now - start)
            }
            FileHandle.standardError.write(Data("list \(label): \(best) (total \(total))\n".utf8))
        }

        let records = store.records.count
        _ = try await Self.measure("replay \(records) records") { try Engine.open(store: store, clock: time) }
        let copy = await engine.exportDocument()
        _ = copy
        let snapshotStore = MemoryStore()
        let bytes = try await Self.measure("encode export + import") {
            let imported = try Engine.importDocument(copy, into: snapshotStore, clock: time)
            return await imported.taskCount
        }
        FileHandle.standardError.write(Data("imported \(bytes) live tasks\n".utf8))
        _ = try await Self.measure("open from snapshot") { try Engine.open(store: snapshotStore, clock: time) }
    }
}
