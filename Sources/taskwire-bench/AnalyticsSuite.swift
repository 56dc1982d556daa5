import Foundation
import JSON
import TestSupport

/// `tasks.analytics` on large data sets: the unfiltered call and each filter, next to `tasks.get` and
/// `ping` measured on the same connection in the same run.
struct AnalyticsSuite {
    let options: BenchOptions

    /// Tasks go to one of four bots, so `bot_id` selects a quarter of them.
    static func createParams(sequence: Int) -> JSONValue {
        var params = TaskFactory.createParams(client: 0, sequence: sequence).objectValue ?? [:]
        params["context"] = ["conversation_id": .string("conv_\(sequence)"), "bot_id": .string("bot\(sequence % 4)")]
        return .object(params)
    }

    func run() throws {
        for size in options.listSizes {
            let directory = options.workDirectory + "/taskwire-bench-analytics-\(getpid())-\(size)"
            try? FileManager.default.removeItem(atPath: directory)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let loaded = try load(size: size, directory: directory)

            let clock = ContinuousClock()
            let start = clock.now
            let server = try ServerProcess(
                executable: options.serverBinary,
                arguments: ["--data-dir", directory] + Harness.commonArguments, standardError: .inherit
            )
            defer { server.stop() }
            let connection = server.stdioConnection()
            _ = try connection.call(Request.ping(id: 1))
            let restart = clock.now - start
            let restartSeconds = Double(restart.components.seconds) + Double(restart.components.attoseconds) / 1e18

            emit("## tasks.analytics on \(size) tasks\n")
            emit(
                "- \(size) tasks over 200 assignees, 4 bots, 2 of 20 tags each; every 10th started, every 20th "
                    + "completed; restart with the aggregates rebuilt: \(fixed(restartSeconds, 2)) s")
            let iterations = options.quick ? 20 : 200
            var id = 10
            func sample(_ method: String, _ params: JSONValue) throws -> (LatencySamples, JSONValue) {
                var samples = LatencySamples()
                var last = JSONValue.null
                // One warm-up call, then the measured ones.
                for iteration in 0...iterations {
                    id += 1
                    let request =
                        method == "ping" ? Request.ping(id: id) : Request.call(id: id, method: method, params: params)
                    let begin = clock.now
                    last = try connection.call(request)
                    if iteration > 0 { samples.record(clock.now - begin) }
                }
                return (samples, last)
            }
            let (ping, _) = try sample("ping", .null)
            let (get, _) = try sample("tasks.get", ["task_id": .string(loaded.someID)])
            let anchor = get.percentile(50)
            emit(
                "- anchors on the same stdio connection: ping p50 \(fixed(ping.percentile(50), 1)) µs, "
                    + "tasks.get p50 \(fixed(anchor, 1)) µs, p99 \(fixed(get.percentile(99), 1)) µs\n")
            emit("| query | total_tasks | p50 (µs) | p99 (µs) | p50 / tasks.get p50 |")
            emit("|---|---|---|---|---|")
            let queries: [(String, JSONValue)] = [
                ("no filter", [:]),
                ("assignee=user42", ["assignee": "user42"]),
                ("assignee=null", ["assignee": .null]),
                ("bot_id=bot1", ["bot_id": "bot1"]),
                ("tags=tag3", ["tags": "tag3"]),
                ("from (newest 10%)", ["from": .string(loaded.createdAt90)]),
                ("from+to (middle 40%)", ["from": .string(loaded.createdAt50), "to": .string(loaded.createdAt90)]),
                ("assignee+tags", ["assignee": "user7", "tags": "tag7"]),
                ("bot_id+from (newest 10%)", ["bot_id": "bot2", "from": .string(loaded.createdAt90)]),
                ("tags=tag3,tag7", ["tags": "tag3,tag7"]),
            ]
            for (label, params) in queries {
                let (samples, result) = try sample("tasks.analytics", params)
                guard let total = result["summary"]?["total_tasks"]?.intValue else {
                    throw BenchError("tasks.analytics failed: \(result)")
                }
                let p50 = samples.percentile(50)
                emit(
                    "| \(label) | \(total) | \(fixed(p50, 1)) | \(fixed(samples.percentile(99), 1)) | "
                        + "\(fixed(p50 / max(anchor, 0.001), 1)) |")
            }
            emit()
        }
    }

    /// What the measurement needs from the loaded data: a task id, and the creation times at 50% and 90%.
    private struct Loaded {
        var someID: String
        var createdAt50: String
        var createdAt90: String
    }

    /// Creates `size` tasks (pipelined, `--durability none`), starts every 10th and completes every 20th.
    private func load(size: Int, directory: String) throws -> Loaded {
        let server = try ServerProcess(
            executable: options.serverBinary,
            arguments: ["--data-dir", directory, "--durability", "none"] + Harness.commonArguments,
            standardError: .inherit
        )
        defer { server.stop() }
        let connection = server.stdioConnection()
        var ids: [String] = []
        ids.reserveCapacity(size)
        var createdAt: [Int: String] = [:]
        var batch: [UInt8] = []
        var pending = 0
        func flush(_ reply: (JSONValue) throws -> Void = { _ in }) throws {
            guard pending > 0 else { return }
            try connection.send(batch)
            for _ in 0..<pending { try reply(try JSONParser.parse(try connection.readLine())) }
            batch.removeAll(keepingCapacity: true)
            pending = 0
        }
        let record: (JSONValue) throws -> Void = { reply in
            guard let result = reply["result"], let id = result["task_id"]?.stringValue else {
                throw BenchError("create failed: \(reply)")
            }
            if ids.count == size / 2 || ids.count == size * 9 / 10 {
                createdAt[ids.count] = result["created_at"]?.stringValue
            }
            ids.append(id)
        }
        for sequence in 0..<size {
            batch.append(
                contentsOf: Request.call(
                    id: sequence, method: "tasks.create", params: Self.createParams(sequence: sequence)))
            pending += 1
            if pending == 256 { try flush(record) }
        }
        try flush(record)
        for (index, id) in ids.enumerated() where index % 10 == 0 {
            batch.append(
                contentsOf: Request.call(
                    id: index, method: "tasks.update", params: ["task_id": .string(id), "status": "in_progress"]))
            pending += 1
            if pending == 256 { try flush() }
        }
        try flush()
        for (index, id) in ids.enumerated() where index % 20 == 0 {
            batch.append(
                contentsOf: Request.call(id: index, method: "tasks.complete", params: ["task_id": .string(id)]))
            pending += 1
            if pending == 256 { try flush() }
        }
        try flush()
        return Loaded(
            someID: ids[ids.count / 3], createdAt50: createdAt[size / 2] ?? "",
            createdAt90: createdAt[size * 9 / 10] ?? "")
    }
}
