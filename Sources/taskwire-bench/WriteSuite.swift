import Foundation
import JSON
import Locking

/// Durable `tasks.create` with 1, 16 and 64 clients, each waiting for its reply before the next request
/// (as bots do), then `tasks.get` on the tasks created.
struct WriteSuite {
    let options: BenchOptions

    func run() throws {
        let directory = options.workDirectory + "/taskwire-bench-writes-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let harness = try Harness(
            binary: options.serverBinary,
            storage: ["--data-dir", directory, "--durability", "always"],
            workDirectory: options.workDirectory
        )
        defer { harness.stop() }

        emit("## Writes: durable tasks.create (--durability always, data directory on local disk)\n")
        emit("| clients | creates | ops/s | p50 (µs) | p99 (µs) |")
        emit("|---|---|---|---|---|")
        let createdIDs = Mutex<[String]>([])
        for clients in [1, 16, 64] {
            let total = options.quick ? 640 : (clients == 1 ? 3_000 : 32_000)
            try closedLoop(harness: harness, clients: clients, perClient: max(1, total / clients)) { client, sequence in
                Request.call(
                    id: sequence, method: "tasks.create",
                    params: TaskFactory.createParams(client: client, sequence: sequence))
            } collect: { result in
                if let id = result["task_id"]?.stringValue { createdIDs.withLock { $0.append(id) } }
            }
        }
        emit()
        let ids = createdIDs.withLock { $0 }
        guard !ids.isEmpty else { return }
        emit("## Reads: tasks.get by id\n")
        emit("| clients | gets | ops/s | p50 (µs) | p99 (µs) |")
        emit("|---|---|---|---|---|")
        for clients in [1, 4] {
            try closedLoop(harness: harness, clients: clients, perClient: options.quick ? 1_000 : 10_000) {
                _, sequence in
                let id = ids[Int.random(in: 0..<ids.count)]
                return Request.call(id: sequence, method: "tasks.get", params: ["task_id": .string(id)])
            }
        }
        emit()
    }

    /// Every client sends `perClient` requests, each after the previous reply (as a bot does), and the row
    /// of figures is printed: requests, requests per second, p50 and p99 latency.
    private func closedLoop(
        harness: Harness, clients: Int, perClient: Int,
        request: @escaping @Sendable (_ client: Int, _ sequence: Int) -> [UInt8],
        collect: @escaping @Sendable (JSONValue) -> Void = { _ in }
    ) throws {
        let connections = try (0..<clients).map { _ in UncheckedBox(try harness.socketConnection()) }
        var samples = LatencySamples()
        let seconds = try measure {
            let perThread = try onThreads(clients) { index in
                let connection = connections[index].value
                let clock = ContinuousClock()
                var local = LatencySamples()
                for sequence in 0..<perClient {
                    let bytes = request(index, sequence)
                    let start = clock.now
                    let result = try connection.call(bytes)
                    local.record(clock.now - start)
                    collect(result)
                }
                return local
            }
            for local in perThread { samples.merge(local) }
        }
        for box in connections { box.value.closeConnection() }
        emit(
            "| \(clients) | \(samples.count) | \(fixed(Double(samples.count) / seconds, 0)) | "
                + "\(fixed(samples.percentile(50))) | \(fixed(samples.percentile(99))) |"
        )
    }
}

/// Realistic task params: a title with searchable words, one of 200 assignees, a priority, two of 20 tags,
/// a due date within the next 30 days, and a conversation context.
enum TaskFactory {
    static let priorities = ["low", "medium", "high", "critical"]
    static let dueBase = Int(Date().timeIntervalSince1970) + 7 * 86_400

    static func createParams(client: Int, sequence: Int) -> JSONValue {
        let n = client &* 1_000_003 &+ sequence
        let title = "Follow up on ticket \(n % 100_000) for customer \(n % 7919)"
        return [
            "title": .string(title),
            "description": .string("Customer reported issue \(n); see conversation for details."),
            "assignee": .string("user\(n % 200)"),
            "priority": .string(priorities[n % 4]),
            "tags": [.string("tag\(n % 20)"), .string("tag\((n / 20) % 20)")],
            "due_date": .int(dueBase + (n % 30) * 86_400),
            "context": ["conversation_id": .string("conv_\(n)"), "bot_id": "support_bot"],
        ]
    }
}
