import Foundation
import Glibc
import JSON
import Locking
import TestSupport

/// taskwire on PostgreSQL (`--postgres`) beside `pgbench` doing a comparable single-row insert on the same
/// database in the same run, and beside taskwire on a data directory.
///
/// Everything the suite makes lives in a schema of its own (`twbench_PID`, chosen for every process through
/// `PGOPTIONS`), dropped at the end, so the database it is pointed at keeps nothing of the run.
struct PostgresSuite {
    let options: BenchOptions
    let conninfo: String

    private var seconds: Double { options.quick ? 1 : 5 }

    func run() throws {
        emit("## PostgreSQL: durable tasks.create beside pgbench, same database, same run\n")
        let psql = try Self.tool("psql")
        let pgbench = try Self.tool("pgbench")
        let schema = "twbench_\(getpid())"
        try Self.run(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", "CREATE SCHEMA \(schema)"])
        setenv("PGOPTIONS", "-c search_path=\(schema)", 1)
        defer {
            unsetenv("PGOPTIONS")
            try? Self.run(psql, ["-X", "-q", "-d", conninfo, "-c", "DROP SCHEMA \(schema) CASCADE"])
        }
        let settings = try Self.run(
            psql,
            [
                "-X", "-A", "-t", "-d", conninfo, "-c",
                "SELECT current_setting('server_version') || ', fsync=' || current_setting('fsync') || "
                    + "', synchronous_commit=' || current_setting('synchronous_commit')",
            ])
        emit("PostgreSQL \(settings.trimmingCharacters(in: .whitespacesAndNewlines))\n")
        try Self.run(options.serverBinary, ["migrate", "--postgres", conninfo])

        let onPostgres = try Harness(
            binary: options.serverBinary, storage: ["--postgres", conninfo], workDirectory: options.workDirectory)
        defer { onPostgres.stop() }
        let onFiles = try Harness(
            binary: options.serverBinary,
            storage: ["--data-dir", options.workDirectory + "/postgres-suite-files", "--durability", "always"],
            workDirectory: options.workDirectory)
        defer { onFiles.stop() }

        emit("| measure | clients | ops/s | p50 / p99 (µs) | ratio to pgbench |")
        emit("|---|---|---|---|---|")
        var anchor: AnchorSuite.Point?
        for clients in [1, 64] {
            let insert = try pgbenchInsert(pgbench, clients: clients)
            let postgres = try createSeries("taskwire on PostgreSQL", onPostgres).measure(
                clients: clients, seconds: seconds)
            let files = try createSeries("taskwire on a data directory", onFiles).measure(
                clients: clients, seconds: seconds)
            row("pgbench single-row INSERT", clients, insert, insert)
            row("taskwire `tasks.create`, `--postgres`", clients, postgres, insert)
            row("taskwire `tasks.create`, data directory (`always`)", clients, files, insert)
            anchor = insert
        }
        emit()
        if let anchor { try fleet(writer: onPostgres, anchor: anchor) }
    }

    /// Three servers on the database: the one above writes, two more are read nodes that forward their
    /// writes to it (docs/postgres.md). Creates from 64 clients spread over the three, then all sent to a
    /// read node; and how long a create takes to reach a subscriber on the writer and on a read node.
    private func fleet(writer: Harness, anchor: AnchorSuite.Point) throws {
        let readers = try (0..<2).map { _ in
            try Harness(
                binary: options.serverBinary, storage: ["--postgres", conninfo], workDirectory: options.workDirectory)
        }
        defer { for reader in readers { reader.stop() } }
        emit("## PostgreSQL: three servers on one database (one writer, two read nodes), same run\n")
        emit("| measure | clients | ops/s | p50 / p99 (µs) | ratio to pgbench |")
        emit("|---|---|---|---|---|")
        let nodes = ([writer] + readers).map(UncheckedBox.init)
        let turn = Mutex(0)
        let spread = createSeries(name: "three nodes") {
            let index = turn.withLock { count in
                defer { count += 1 }
                return count % nodes.count
            }
            return try nodes[index].value.socketConnection()
        }
        let forwarded = createSeries(name: "read node") { try nodes[1].value.socketConnection() }
        row(
            "taskwire `tasks.create`, spread over 3 nodes", 64, try spread.measure(clients: 64, seconds: seconds),
            anchor)
        row(
            "taskwire `tasks.create`, all on a read node", 64, try forwarded.measure(clients: 64, seconds: seconds),
            anchor)
        emit()
        try eventDelay(writer: writer, reader: readers[1])
    }

    /// Creates on the writer, one at a time, each sent once both subscribers (one on the writer, one on a
    /// read node) have its event: the time from sending the create to each push.
    private func eventDelay(writer: Harness, reader: Harness) throws {
        let samples = options.quick ? 200 : 2_000
        let subscribers = try [writer, reader].map { harness in
            let connection = try harness.socketConnection()
            _ = try connection.call(
                Request.call(id: 1, method: "events.subscribe", params: ["types": ["task_created"]]))
            return UncheckedBox(connection)
        }
        defer { for box in subscribers { box.value.closeConnection() } }
        let client = UncheckedBox(try writer.socketConnection())
        defer { client.value.closeConnection() }
        let clock = ContinuousClock()
        let sent = Mutex<[ContinuousClock.Instant]>([])
        let received = DispatchSemaphore(value: 0)
        let delays = try onThreads(3) { index -> LatencySamples in
            var local = LatencySamples()
            guard index < 2 else {
                for sequence in 0..<samples {
                    sent.withLock { $0.append(clock.now) }
                    _ = try client.value.call(
                        Request.call(
                            id: sequence, method: "tasks.create",
                            params: TaskFactory.createParams(client: 0, sequence: sequence)))
                    received.wait()
                    received.wait()
                }
                return local
            }
            var count = 0
            while count < samples {
                let line = try subscribers[index].value.readLine()
                guard try JSONParser.parse(line)["method"] == "events.event" else { continue }
                let arrived = clock.now
                local.record(arrived - sent.withLock { $0[count] })
                count += 1
                received.signal()
            }
            return local
        }
        emit("Event delay: from sending a create on the writer to its `events.event` on each subscriber\n")
        emit("| subscriber on | creates | p50 (µs) | p99 (µs) |")
        emit("|---|---|---|---|")
        emit("| the writer | \(samples) | \(fixed(delays[0].percentile(50))) | \(fixed(delays[0].percentile(99))) |")
        emit("| a read node | \(samples) | \(fixed(delays[1].percentile(50))) | \(fixed(delays[1].percentile(99))) |")
        emit()
    }

    private func createSeries(_ name: String, _ harness: Harness) -> Series {
        let box = UncheckedBox(harness)
        return createSeries(name: name) { try box.value.socketConnection() }
    }

    private func createSeries(name: String, connect: @escaping @Sendable () throws -> WireConnection) -> Series {
        Series(
            name: name, connect: connect,
            request: { client, sequence in
                Request.call(
                    id: sequence, method: "tasks.create",
                    params: TaskFactory.createParams(client: client, sequence: sequence))
            })
    }

    /// `pgbench` inserting one row of about a task's size per transaction, with prepared statements, from
    /// `clients` connections; latencies from its per-transaction log.
    ///
    /// A child of this process inherits a signal mask that blocks `SIGALRM`, which `pgbench -T` waits for, so
    /// the run is sized in transactions instead: a short probe gives the rate, the measured run lasts about
    /// the suite's seconds at that rate.
    private func pgbenchInsert(_ pgbench: String, clients: Int) throws -> AnchorSuite.Point {
        let directory = options.workDirectory + "/pgbench-\(clients)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.run(
            try Self.tool("psql"),
            [
                "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c",
                "CREATE TABLE IF NOT EXISTS bench_tasks (id bigserial PRIMARY KEY, client integer, body text)",
            ])
        let body = JSONWriter.string(TaskFactory.createParams(client: 0, sequence: 0))
            .replacingOccurrences(of: "'", with: "''")
        let script = directory + "/insert.sql"
        try "INSERT INTO bench_tasks (client, body) VALUES (:client_id, '\(body)');\n".write(
            toFile: script, atomically: true, encoding: .utf8)
        func insert(transactionsPerClient: Int, log: String?) throws -> Double {
            var arguments = [
                "-n", "-f", script, "-M", "prepared", "-c", "\(clients)", "-j", "\(min(clients, 2))",
                "-t", "\(transactionsPerClient)",
            ]
            if let log { arguments += ["-l", "--log-prefix", log] }
            let output = try Self.run(pgbench, arguments + [conninfo])
            guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
                let tps = Double(line.dropFirst(6).prefix { $0 != " " })
            else {
                throw BenchError("pgbench printed no tps line:\n\(output)")
            }
            return tps
        }
        let probe = try insert(transactionsPerClient: 50, log: nil)
        let logs = directory + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let tps = try insert(
            transactionsPerClient: max(50, Int(probe * seconds / Double(clients))), log: logs + "/pgbench")
        // Each log line: client, transaction, latency in µs, script, epoch seconds, µs.
        var latencies: [Double] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: logs) {
            let text = try String(contentsOfFile: logs + "/" + name, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ")
                if fields.count > 2, let micros = Double(fields[2]) { latencies.append(micros) }
            }
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(p / 100 * Double(latencies.count)))]
        }
        return AnchorSuite.Point(clients: clients, opsPerSecond: tps, p50: percentile(50), p99: percentile(99))
    }

    private func row(_ measure: String, _ clients: Int, _ point: AnchorSuite.Point, _ anchor: AnchorSuite.Point) {
        emit(
            "| \(measure) | \(clients) | \(fixed(point.opsPerSecond, 0)) | \(fixed(point.p50)) / \(fixed(point.p99)) | "
                + "\(fixed(point.opsPerSecond / anchor.opsPerSecond, 2))× |")
    }

    /// A PostgreSQL client program: on PATH, else in Debian's server directory.
    private static func tool(_ name: String) throws -> String {
        let candidates =
            ["/usr/bin/\(name)", "/usr/local/bin/\(name)"]
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted()
            .reversed().map { "/usr/lib/postgresql/\($0)/bin/\(name)" }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BenchError("\(name) not found (Debian's postgresql-client)")
        }
        return found
    }

    /// Runs a program to its end; its standard output, or an error with its standard error.
    @discardableResult
    private static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        let problems = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError(
                "\(executable) \(arguments.joined(separator: " ")): status \(process.terminationStatus): "
                    + String(decoding: problems, as: UTF8.self))
        }
        return String(decoding: text, as: UTF8.self)
    }
}
