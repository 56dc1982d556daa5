import Foundation
import Glibc
import JSON
import TestSupport

/// Closed-loop `ping` and `tasks.get` with 1 and 16 socket clients beside the echo floor of the same run,
/// then the cost of many idle socket connections: resident memory and threads while they are open, and
/// the memory left once they closed.
struct ConnectionSuite {
    let options: BenchOptions

    private var perClient: Int { options.quick ? 1_000 : 10_000 }
    private var idleConnections: Int { options.quick ? 1_000 : 10_000 }

    func run() throws {
        raiseOpenFileLimit()
        let harness = try Harness(
            binary: options.serverBinary, storage: ["--in-memory"], workDirectory: options.workDirectory)
        defer { harness.stop() }
        let (floor, floorPath) = try EchoServer.spawnSocket(
            workDirectory: options.workDirectory, name: "taskwire-bench-echo")
        defer { floor.stop() }

        var ids: [String] = []
        for n in 0..<1_000 {
            let create = Request.call(id: n, method: "tasks.create", params: ["title": .string("task \(n)")])
            if let id = try harness.stdio.call(create)["task_id"]?.stringValue { ids.append(id) }
        }
        let taskIDs = ids

        emit("## Connections: closed-loop requests over the Unix socket against the echo floor\n")
        emit(
            "| clients | measure | taskwire ops/s | p50 (µs) | p99 (µs) | echo ops/s | echo p50 (µs) | ratio (ops/s) |")
        emit("|---|---|---|---|---|---|---|---|")
        for clients in [1, 16] {
            let echo = try closedLoop(clients: clients, connect: { try WireConnection.unix(path: floorPath) }) {
                Request.ping(id: $0)
            }
            let ping = try closedLoop(clients: clients, connect: harness.socketConnection) { Request.ping(id: $0) }
            let get = try closedLoop(clients: clients, connect: harness.socketConnection) { sequence in
                Request.call(
                    id: sequence, method: "tasks.get",
                    params: ["task_id": .string(taskIDs[sequence % max(1, taskIDs.count)])])
            }
            for (name, result) in [("ping", ping), ("tasks.get", get)] {
                emit(
                    "| \(clients) | \(name) | \(fixed(result.rate, 0)) | \(fixed(result.samples.percentile(50))) | "
                        + "\(fixed(result.samples.percentile(99))) | \(fixed(echo.rate, 0)) | "
                        + "\(fixed(echo.samples.percentile(50))) | \(fixed(result.rate / echo.rate, 2))× |"
                )
            }
        }
        emit()
        try idle(harness)
    }

    private struct ClosedLoop {
        var rate: Double
        var samples: LatencySamples
    }

    /// Every client sends `perClient` requests, each after the previous reply.
    private func closedLoop(
        clients: Int, connect: () throws -> WireConnection, request: @escaping @Sendable (Int) -> [UInt8]
    ) throws -> ClosedLoop {
        let connections = try (0..<clients).map { _ in UncheckedBox(try connect()) }
        let perClient = self.perClient
        var samples = LatencySamples()
        let seconds = try measure {
            let all = try onThreads(clients) { index in
                let connection = connections[index].value
                let clock = ContinuousClock()
                var samples = LatencySamples()
                for sequence in 0..<perClient {
                    let bytes = request(sequence)
                    let start = clock.now
                    try connection.send(bytes)
                    _ = try connection.readLine()
                    samples.record(clock.now - start)
                }
                return UncheckedBox(samples)
            }
            for part in all { samples.merge(part.value) }
        }
        for connection in connections { connection.value.closeConnection() }
        return ClosedLoop(rate: Double(clients * perClient) / seconds, samples: samples)
    }

    /// Opens many connections that each log in and ping once, then stay idle; then closes them all.
    private func idle(_ harness: Harness) throws {
        let pid = harness.server.pid
        let before = Self.status(of: pid)
        var connections: [WireConnection] = []
        for n in 0..<idleConnections {
            let connection = try harness.socketConnection()
            _ = try connection.call(Request.ping(id: n))
            connections.append(connection)
        }
        // The last replies are read; give the allocator a moment to settle before reading /proc.
        usleep(500_000)
        let open = Self.status(of: pid)
        for connection in connections { connection.closeConnection() }
        connections.removeAll()
        // Closing is asynchronous on the server's side; its memory is trimmed half a second after a burst.
        usleep(3_000_000)
        let closed = Self.status(of: pid)
        let perConnection = Double(open.rss - before.rss) / Double(idleConnections)
        emit("## Connections: \(idleConnections) idle socket connections (each logged in and pinged once)\n")
        emit("| measure | before | open | after closing |")
        emit("|---|---|---|---|")
        emit("| server RSS (MiB) | \(mib(before.rss)) | \(mib(open.rss)) | \(mib(closed.rss)) |")
        emit("| server threads | \(before.threads) | \(open.threads) | \(closed.threads) |")
        emit("| RSS per open connection (KiB) | | \(fixed(perConnection / 1024)) | |")
        emit()
    }

    private func mib(_ bytes: Int) -> String { fixed(Double(bytes) / 1_048_576) }

    private static func status(of pid: Int32) -> (rss: Int, threads: Int) {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        var rss = 0
        var threads = 0
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if line.hasPrefix("VmRSS:"), fields.count > 1 { rss = (Int(fields[1]) ?? 0) * 1024 }
            if line.hasPrefix("Threads:"), fields.count > 1 { threads = Int(fields[1]) ?? 0 }
        }
        return (rss, threads)
    }

    private func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
