import Foundation
import JSON
import TestSupport

/// The data set of the reads and restart suites: `size` tasks made by ``TaskFactory`` on one pipelined stdio
/// client with `--durability none`, every tenth then moved to `in_progress`.
enum TaskDataSet {
    /// What loading cost.
    struct Loaded {
        /// Creates per second.
        var rate: Double
        /// The time each window of 256 pipelined creates took: the slowest show what snapshots (every 100,000
        /// records) cost the requests running meanwhile.
        var windows: LatencySamples
        /// The server's log while it loaded (its snapshot lines say what each snapshot cost).
        var log: String
    }

    static func load(size: Int, directory: String, options: BenchOptions) throws -> Loaded {
        let server = try ServerProcess(
            executable: options.serverBinary,
            // Info, after the quiet default: the snapshot lines say what each snapshot cost.
            arguments: ["--data-dir", directory, "--durability", "none"] + Harness.commonArguments + [
                "--log-level", "info",
            ],
            standardError: .collect
        )
        let connection = server.stdioConnection()
        let window = 256
        var ids: [String] = []
        ids.reserveCapacity(size)
        var windows = LatencySamples()
        let clock = ContinuousClock()
        let seconds = try measure {
            var sent = 0
            while sent < size {
                let count = min(window, size - sent)
                var batch: [UInt8] = []
                for offset in 0..<count {
                    batch.append(
                        contentsOf: Request.call(
                            id: sent + offset, method: "tasks.create",
                            params: TaskFactory.createParams(client: 0, sequence: sent + offset)))
                }
                let start = clock.now
                try connection.send(batch)
                for _ in 0..<count {
                    let reply = try JSONParser.parse(try connection.readLine())
                    guard let id = reply["result"]?["task_id"]?.stringValue else {
                        throw BenchError("create failed: \(reply)")
                    }
                    ids.append(id)
                }
                windows.record(clock.now - start)
                sent += count
            }
        }
        var batch: [UInt8] = []
        for (index, id) in ids.enumerated() where index % 10 == 0 {
            batch.append(
                contentsOf: Request.call(
                    id: index, method: "tasks.update", params: ["task_id": .string(id), "status": "in_progress"]))
            if batch.count > 32_000 { try flush(&batch, connection) }
        }
        try flush(&batch, connection)
        server.stop()
        return Loaded(rate: Double(size) / seconds, windows: windows, log: server.standardError)
    }

    /// The resident memory of a server holding nothing, the base that bytes per task are counted from.
    static func emptyServerRSS(options: BenchOptions) throws -> Int {
        let server = try ServerProcess(
            executable: options.serverBinary, arguments: ["--in-memory"] + Harness.commonArguments,
            standardError: .inherit)
        _ = try server.stdioConnection().call(Request.ping(id: 1))
        defer { server.stop() }
        return server.residentBytes()
    }

    private static func flush(_ batch: inout [UInt8], _ connection: WireConnection) throws {
        guard !batch.isEmpty else { return }
        let count = batch.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        try connection.send(batch)
        for _ in 0..<count { _ = try connection.readLine() }
        batch.removeAll(keepingCapacity: true)
    }

    /// The `key=value` fields of each log line whose message is `message`.
    static func logEntries(_ log: String, message: String) -> [[String: String]] {
        log.split(separator: "\n").compactMap { line -> [String: String]? in
            // A line is `<time> <level> <label>: <message> key=value...`.
            guard
                let range = line.range(of: ": \(message) ")
                    ?? line.range(of: ": \(message)", options: .anchored.union(.backwards))
            else { return nil }
            var fields: [String: String] = [:]
            for pair in line[range.upperBound...].split(separator: " ") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            return fields
        }
    }
}
