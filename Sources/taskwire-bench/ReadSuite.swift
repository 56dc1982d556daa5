import Foundation
import JSON
import TestSupport

/// `tasks.list` with filters on large data sets, restart time and resident memory per task.
struct ReadSuite {
    let options: BenchOptions

    private let queries: [(String, JSONValue)] = [
        ("newest first, no filter", [:]),
        ("status=in_progress", ["status": "in_progress"]),
        ("assignee=user42", ["assignee": "user42"]),
        ("priority=high, sort due_date asc", ["priority": "high", "sort": "due_date", "order": "asc"]),
        ("tags=tag3,tag7", ["tags": "tag3,tag7"]),
        ("assignee+status, sort updated_at", ["assignee": "user7", "status": "pending", "sort": "updated_at"]),
        (
            "due_before (next 3 days), sort due_date",
            ["due_before": .int(TaskFactory.dueBase + 2 * 86_400), "sort": "due_date"]
        ),
        ("overdue=true", ["overdue": true]),
        ("tags=tag3,tag7, sort due_date", ["tags": "tag3,tag7", "sort": "due_date"]),
        ("tags=tag3,tag7 + status=pending", ["tags": "tag3,tag7", "status": "pending"]),
        ("tags=tag3 + assignee=user63", ["tags": "tag3", "assignee": "user63"]),
        ("q=\"customer 4242\"", ["q": "customer 4242"]),
        ("q=\"ticket 12345 \" (one ticket)", ["q": "ticket 12345 "]),
        ("q=\"issue 77\" (a prefix)", ["q": "issue 77"]),
        ("q=\"42\" (two characters)", ["q": "42"]),
        ("q=\"a\" (one character, every task)", ["q": "a"]),
        ("q=\"zq\" (no match)", ["q": "zq"]),
        ("q=\"Customer 4242\" + status=in_progress", ["q": "Customer 4242", "status": "in_progress"]),
        ("q=\"customer 42\", sort updated_at", ["q": "customer 42", "sort": "updated_at"]),
        ("q=\"conversation\" (every task)", ["q": "conversation"]),
    ]

    func run() throws {
        let emptyRSS = try TaskDataSet.emptyServerRSS(options: options)

        for size in options.listSizes {
            let directory = options.workDirectory + "/taskwire-bench-reads-\(getpid())-\(size)"
            try? FileManager.default.removeItem(atPath: directory)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let loaded = try TaskDataSet.load(size: size, directory: directory, options: options)

            let clock = ContinuousClock()
            let start = clock.now
            let server = try ServerProcess(
                executable: options.serverBinary,
                arguments: ["--data-dir", directory] + Harness.commonArguments, standardError: .inherit
            )
            let connection = server.stdioConnection()
            _ = try connection.call(Request.ping(id: 1))
            let restart = clock.now - start
            let rss = server.residentBytes()

            emit("## tasks.list on \(size) tasks\n")
            let restartSeconds = Double(restart.components.seconds) + Double(restart.components.attoseconds) / 1e18
            emit("- loaded at \(fixed(loaded.rate, 0)) creates/s (one pipelined stdio client, --durability none)")
            emit(
                "- each window of 256 pipelined creates: p50 \(fixed(loaded.windows.percentile(50) / 1000, 2)) ms, "
                    + "p99.9 \(fixed(loaded.windows.percentile(99.9) / 1000, 2)) ms, slowest "
                    + "\(fixed(loaded.windows.percentile(100) / 1000, 2)) ms (snapshots start every 100,000 records)")
            emit("- restart, from spawn to the first reply (recovery included): \(fixed(restartSeconds, 2)) s")
            emit(
                "- resident memory \(rss / 1_048_576) MiB: \(fixed(Double(rss - emptyRSS) / Double(size), 0)) bytes "
                    + "per task over an empty server\n")
            let iterations = options.quick ? 20 : 100
            let anchors = try anchorLatencies(connection, iterations: iterations * 5)
            emit(
                "- anchors on the same connection: ping p50 \(fixed(anchors.ping.percentile(50) / 1000, 3)) ms, "
                    + "tasks.get p50 \(fixed(anchors.get.percentile(50) / 1000, 3)) ms\n")
            emit("| query (limit 20, pages 1-5) | total matches | p50 (ms) | p99 (ms) | p50 / tasks.get p50 |")
            emit("|---|---|---|---|---|")
            for (label, filter) in queries {
                var samples = LatencySamples()
                var total = 0
                for iteration in 0..<iterations {
                    var params = filter.objectValue ?? [:]
                    params["page"] = .int(iteration % 5 + 1)
                    params["limit"] = 20
                    let request = Request.call(id: iteration, method: "tasks.list", params: .object(params))
                    let begin = clock.now
                    let result = try connection.call(request)
                    samples.record(clock.now - begin)
                    total = result["total"]?.intValue ?? 0
                }
                let ratio = samples.percentile(50) / max(anchors.get.percentile(50), 1)
                emit(
                    "| \(label) | \(total) | \(fixed(samples.percentile(50) / 1000, 3)) | "
                        + "\(fixed(samples.percentile(99) / 1000, 3)) | \(fixed(ratio, 1)) |"
                )
            }
            emit()
            server.stop()
        }
    }

    /// `ping` and `tasks.get` (of the newest task) round trips on the list's connection: the anchors its
    /// figures are read against.
    private func anchorLatencies(
        _ connection: WireConnection, iterations: Int
    ) throws -> (
        ping: LatencySamples, get: LatencySamples
    ) {
        let newest = try connection.call(
            Request.call(id: 1, method: "tasks.list", params: ["limit": 1]))
        guard let id = newest["tasks"]?.arrayValue?.first?["task_id"]?.stringValue else {
            throw BenchError("no task to get: \(newest)")
        }
        let clock = ContinuousClock()
        var ping = LatencySamples()
        var get = LatencySamples()
        for iteration in 0..<iterations {
            var begin = clock.now
            _ = try connection.call(Request.ping(id: iteration))
            ping.record(clock.now - begin)
            begin = clock.now
            _ = try connection.call(
                Request.call(id: iteration, method: "tasks.get", params: ["task_id": .string(id)]))
            get.record(clock.now - begin)
        }
        return (ping, get)
    }
}
