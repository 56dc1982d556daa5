import Foundation
import Glibc
import JSON
import Locking
import TestSupport

/// taskwire beside the systems a bot developer would otherwise pick, measured in the same run with the
/// same closed-loop clients over a Unix socket: a raw echo over the same transport for `ping`, and a
/// private `redis-server` (append-only file, `appendfsync always`, on the same disk) for durable writes
/// (`HSET` against `tasks.create`) and reads (`HGET` against `tasks.get`).
///
/// With `--clients LIST` every series is also swept over those client counts; `--json FILE` writes the
/// figures for `scripts/bench-plot.py`.
struct AnchorSuite {
    let options: BenchOptions

    private var seconds: Double { options.quick ? 0.5 : 3 }
    private var sweepSeconds: Double { options.quick ? 0.3 : 1.5 }

    /// One measured point of a series.
    struct Point {
        var clients: Int
        var opsPerSecond: Double
        var p50: Double
        var p99: Double
        /// The fewest requests any one client completed.
        var fewestPerClient: Int = 0
    }

    func run() throws {
        let loadBefore = loadAverage()
        emit("## Anchors: taskwire beside a raw echo and Redis, same run, same clients\n")
        emit("Load average (1, 5, 15 min) at the start: \(loadBefore)\n")

        // The servers: taskwire in memory for ping, durable taskwire for the data calls, the echo floor and
        // (when installed) Redis with its data on the same disk as taskwire's.
        let memory = try Harness(
            binary: options.serverBinary, storage: ["--in-memory"], workDirectory: options.workDirectory)
        defer { memory.stop() }
        let (echo, echoPath) = try EchoServer.spawnSocket(workDirectory: options.workDirectory, name: "anchor-echo")
        defer { echo.stop() }
        let durableDirectory = options.workDirectory + "/anchor-taskwire-\(getpid())"
        let durable = try Harness(
            binary: options.serverBinary,
            storage: ["--data-dir", durableDirectory, "--durability", "always"],
            workDirectory: options.workDirectory
        )
        defer { durable.stop() }
        var redis: RedisServer?
        switch RedisServer.locate(explicit: options.redisBinary) {
        case .success(let binary):
            redis = try RedisServer(binary: binary, workDirectory: options.workDirectory)
        case .failure(let reason):
            emit("- Redis anchor skipped: \(reason.description)\n")
        }
        defer { redis?.stop() }

        let login = memory.loginLine
        let memoryBox = UncheckedBox(memory)
        let durableBox = UncheckedBox(durable)
        let ping = Series(
            name: "taskwire ping", connect: { try memoryBox.value.socketConnection() },
            request: { _, sequence in Request.ping(id: sequence) })
        // The echo connections send the same login line first, so both sides do the same setup.
        let echoPing = Series(
            name: "raw echo",
            connect: {
                let connection = try WireConnection.unix(path: echoPath)
                if let login {
                    try connection.send(login)
                    _ = try connection.readLine()
                }
                return connection
            },
            request: { _, sequence in Request.ping(id: sequence) })

        let createdIDs = Mutex<[String]>([])
        let create = Series(
            name: "taskwire tasks.create (durable)", connect: { try durableBox.value.socketConnection() },
            request: { client, sequence in
                Request.call(
                    id: sequence, method: "tasks.create",
                    params: TaskFactory.createParams(client: client, sequence: sequence))
            },
            collect: { _, sequence, reply in
                // The first replies of each client are enough ids for tasks.get; parsing them all would take
                // client CPU from the server.
                guard sequence < 50 else { return }
                if let id = JSONParser.parseOrNil(reply)?["result"]?["task_id"]?.stringValue {
                    createdIDs.withLock { $0.append(id) }
                }
            }
        )
        let hset = redis.map { redis in
            Series(
                name: "redis HSET (appendfsync always)", connect: { try redis.connection() },
                request: { client, sequence in
                    RESP.command([
                        "HSET", RedisKeys.key(client: client, sequence: sequence), "data",
                        RESP.taskValue(client: client, sequence: sequence),
                    ])
                }, reply: RESP.readReply)
        }
        let getIDs = Mutex<[String]>([])
        let get = Series(
            name: "taskwire tasks.get", connect: { try durableBox.value.socketConnection() },
            request: { client, sequence in
                let id = getIDs.withLock { $0[(client &* 7_919 &+ sequence * 31) % $0.count] }
                return Request.call(id: sequence, method: "tasks.get", params: ["task_id": .string(id)])
            })
        // Every HSET client wrote at least its first `written.depth` keys (a missing key fails the run).
        let written = RedisKeys()
        let hget = redis.map { redis in
            Series(
                name: "redis HGET", connect: { try redis.connection() },
                request: { client, sequence in
                    let n = client &* 7_919 &+ sequence * 31
                    let depth = written.depth.load(ordering: .relaxed)
                    return RESP.command(["HGET", RedisKeys.key(client: n % 64, sequence: (n / 64) % depth), "data"])
                }, reply: RESP.readReply)
        }

        // The table of the issue: each figure beside its anchor.
        emit("| measure | taskwire ops/s | p50 / p99 (µs) | anchor | anchor ops/s | p50 / p99 (µs) | ratio |")
        emit("|---|---|---|---|---|---|---|")
        for clients in [1, 16] {
            let ours = try ping.measure(clients: clients, seconds: seconds)
            let theirs = try echoPing.measure(clients: clients, seconds: seconds)
            row("`ping`, \(clients) client(s)", ours, "raw echo", theirs)
        }
        let creates = try create.measure(clients: 64, seconds: seconds)
        getIDs.withLock { $0 = createdIDs.withLock { $0 } }
        if getIDs.withLock({ $0.isEmpty }) { throw BenchError("no task was created") }
        if let hset {
            let sets = try hset.measure(clients: 64, seconds: seconds)
            written.record(sets)
            row("durable `tasks.create`, 64 clients", creates, "Redis HSET, appendfsync always", sets)
        } else {
            row("durable `tasks.create`, 64 clients", creates, "(Redis skipped)", nil)
        }
        let gets = try get.measure(clients: 16, seconds: seconds)
        if let hget {
            let redisGets = try hget.measure(clients: 16, seconds: seconds)
            row("`tasks.get`, 16 clients", gets, "Redis HGET", redisGets)
        } else {
            row("`tasks.get`, 16 clients", gets, "(Redis skipped)", nil)
        }
        emit()

        var sweeps: [(String, [Point])] = []
        if !options.clientCounts.isEmpty {
            emit("### Client sweep (\(fixed(sweepSeconds)) s per point)\n")
            emit("| series | " + options.clientCounts.map { "\($0) clients" }.joined(separator: " | ") + " |")
            emit("|---|" + options.clientCounts.map { _ in "---|" }.joined())
            for series in [ping, echoPing, create, hset, get, hget].compactMap({ $0 }) {
                var points: [Point] = []
                for clients in options.clientCounts {
                    let point = try series.measure(clients: clients, seconds: sweepSeconds)
                    if clients >= 64, series.name == hset?.name { written.record(point) }
                    points.append(point)
                }
                sweeps.append((series.name, points))
                emit(
                    "| \(series.name) | "
                        + points.map { "\(fixed($0.opsPerSecond, 0))/s, p99 \(fixed($0.p99, 0)) µs" }.joined(
                            separator: " | ") + " |")
            }
            emit()
        }
        let loadAfter = loadAverage()
        emit("Load average at the end: \(loadAfter)\n")
        if let path = options.jsonOutput {
            try writeJSON(path: path, sweeps: sweeps, load: [loadBefore, loadAfter])
            emit("Figures written to \(path)\n")
        }
    }

    private func row(_ measure: String, _ ours: Point, _ anchor: String, _ theirs: Point?) {
        let mine = "\(fixed(ours.opsPerSecond, 0)) | \(fixed(ours.p50)) / \(fixed(ours.p99))"
        guard let theirs else {
            emit("| \(measure) | \(mine) | \(anchor) | – | – | – |")
            return
        }
        emit(
            "| \(measure) | \(mine) | \(anchor) | \(fixed(theirs.opsPerSecond, 0)) | "
                + "\(fixed(theirs.p50)) / \(fixed(theirs.p99)) | \(fixed(ours.opsPerSecond / theirs.opsPerSecond, 2))× |"
        )
    }

    private func writeJSON(path: String, sweeps: [(String, [Point])], load: [String]) throws {
        var series: [JSONValue] = []
        for (name, points) in sweeps {
            let rows: [JSONValue] = points.map { point in
                [
                    "clients": .int(point.clients), "ops_per_s": .double(point.opsPerSecond),
                    "p50_us": .double(point.p50), "p99_us": .double(point.p99),
                ]
            }
            series.append(["name": .string(name), "points": .array(rows)])
        }
        let document: JSONValue = [
            "command": .string("taskwire-bench " + CommandLine.arguments.dropFirst().joined(separator: " ")),
            "cores": .int(ProcessInfo.processInfo.activeProcessorCount),
            "load_average": .array(load.map { .string($0) }),
            "seconds_per_point": .double(sweepSeconds),
            "series": .array(series),
        ]
        var bytes: [UInt8] = []
        JSONWriter.write(document, into: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw BenchError("cannot write \(path)")
        }
    }

    private func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}

/// One kind of request against one server: how to connect, what to send, how to read the reply.
struct Series: Sendable {
    let name: String
    let connect: @Sendable () throws -> WireConnection
    let request: @Sendable (_ client: Int, _ sequence: Int) -> [UInt8]
    let collect: @Sendable (_ client: Int, _ sequence: Int, _ reply: ArraySlice<UInt8>) -> Void
    let reply: @Sendable (WireConnection) throws -> ArraySlice<UInt8>

    init(
        name: String, connect: @escaping @Sendable () throws -> WireConnection,
        request: @escaping @Sendable (_ client: Int, _ sequence: Int) -> [UInt8],
        collect: @escaping @Sendable (_ client: Int, _ sequence: Int, _ reply: ArraySlice<UInt8>) -> Void = { _, _, _ in
        },
        reply: @escaping @Sendable (WireConnection) throws -> ArraySlice<UInt8> = { try $0.readLine() }
    ) {
        self.name = name
        self.connect = connect
        self.request = request
        self.collect = collect
        self.reply = reply
    }

    /// `clients` connections (each set up first, outside the clock), each sending its next request when
    /// the previous reply is in, for `seconds`; returns requests per second and the latency percentiles.
    func measure(clients: Int, seconds: Double) throws -> AnchorSuite.Point {
        let connections = try (0..<clients).map { _ in UncheckedBox(try connect()) }
        defer { for box in connections { box.value.closeConnection() } }
        var samples = LatencySamples()
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int(seconds * 1000))
        let started = clock.now
        let perThread = try onThreads(clients) { index in
            let connection = connections[index].value
            var local = LatencySamples()
            var sequence = 0
            var now = clock.now
            while now < deadline {
                let bytes = request(index, sequence)
                let start = now
                try connection.send(bytes)
                let line = try reply(connection)
                if isError(line) {
                    throw BenchError("\(name): error reply \(String(decoding: line, as: UTF8.self))")
                }
                collect(index, sequence, line)
                now = clock.now
                local.record(now - start)
                sequence += 1
            }
            return local
        }
        let elapsed = clock.now - started
        for local in perThread { samples.merge(local) }
        let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return AnchorSuite.Point(
            clients: clients, opsPerSecond: Double(samples.count) / elapsedSeconds, p50: samples.percentile(50),
            p99: samples.percentile(99), fewestPerClient: perThread.map(\.count).min() ?? 0)
    }
    /// A Redis error (`-ERR ...`) or a JSON-RPC error reply (`"error"` near the start of the line).
    private func isError(_ line: ArraySlice<UInt8>) -> Bool {
        if line.first == UInt8(ascii: "-") { return true }
        let head = line.prefix(48)
        let marker = Array("\"error\"".utf8)
        guard head.count >= marker.count else { return false }
        var index = head.startIndex
        while index <= head.endIndex - marker.count {
            if head[index..<(index + marker.count)].elementsEqual(marker) { return true }
            index += 1
        }
        return false
    }
}

/// How HSET names its keys, so HGET reads keys that exist: client c's request s writes `task:c:s`.
final class RedisKeys: Sendable {
    /// How many keys each of the 64 HSET clients surely wrote (`task:c:0` up to this, exclusive).
    let depth = Atomic<Int>(1)

    func record(_ point: AnchorSuite.Point) {
        if point.clients >= 64, point.fewestPerClient > depth.load(ordering: .relaxed) {
            depth.store(point.fewestPerClient, ordering: .relaxed)
        }
    }

    static func key(client: Int, sequence: Int) -> String { "task:\(client):\(sequence)" }
}

/// The Redis protocol, as much as the benchmark needs: commands as arrays of bulk strings, and replies.
enum RESP {
    static func command(_ parts: [String]) -> [UInt8] {
        var bytes = Array("*\(parts.count)\r\n".utf8)
        for part in parts {
            let utf8 = Array(part.utf8)
            bytes.append(contentsOf: "$\(utf8.count)\r\n".utf8)
            bytes.append(contentsOf: utf8)
            bytes.append(contentsOf: "\r\n".utf8)
        }
        return bytes
    }

    /// A value the size of a task as taskwire stores it: the same fields `tasks.create` gets, as JSON.
    static func taskValue(client: Int, sequence: Int) -> String {
        var bytes: [UInt8] = []
        JSONWriter.write(TaskFactory.createParams(client: client, sequence: sequence), into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads one reply (a status, error, integer or bulk string; values hold no newline) and returns its
    /// first line, or the value of a bulk string.
    static func readReply(_ connection: WireConnection) throws -> ArraySlice<UInt8> {
        let line = try connection.readLine()
        guard line.first == UInt8(ascii: "$") else { return line }
        let length = Int(String(decoding: line.dropFirst().prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self)) ?? -1
        if length < 0 { throw BenchError("redis: missing value") }
        return try connection.readLine()
    }
}

/// A private `redis-server` for the anchors: a Unix socket and an append-only file in the work directory,
/// `appendfsync always` (each write on disk before its reply, as `--durability always`), no RDB snapshots.
final class RedisServer: @unchecked Sendable {
    let socketPath: String
    private let process: ServerProcess
    private let directory: String

    enum Missing: Error, CustomStringConvertible {
        case notFound
        case notExecutable(String)
        var description: String {
            switch self {
            case .notFound:
                "redis-server is not on PATH (install it, e.g. apt-get install redis-server, or pass --redis PATH)"
            case .notExecutable(let path): "\(path) is not an executable file"
            }
        }
    }

    static func locate(explicit: String?) -> Result<String, Missing> {
        if let explicit {
            return FileManager.default.isExecutableFile(atPath: explicit)
                ? .success(explicit) : .failure(.notExecutable(explicit))
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/redis-server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return .success(candidate) }
        }
        return .failure(.notFound)
    }

    init(binary: String, workDirectory: String) throws {
        directory = workDirectory + "/anchor-redis-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        socketPath = directory + "/redis.sock"
        process = try ServerProcess(
            executable: binary,
            arguments: [
                "--port", "0", "--unixsocket", socketPath, "--dir", directory, "--appendonly", "yes",
                "--appendfsync", "always", "--save", "", "--daemonize", "no", "--logfile", directory + "/redis.log",
                "--loglevel", "warning", "--maxclients", "1000",
            ],
            standardError: .inherit
        )
        // Wait until it answers PING.
        let connection = try WireConnection.unix(path: socketPath)
        try connection.send(RESP.command(["PING"]))
        let reply = try connection.readLine()
        connection.closeConnection()
        guard reply.starts(with: "+PONG".utf8) else {
            throw BenchError("redis-server did not answer PING: \(String(decoding: reply, as: UTF8.self))")
        }
    }

    func connection() throws -> WireConnection { try WireConnection.unix(path: socketPath) }

    func stop() {
        _ = process.stop(timeout: .seconds(10))
        try? FileManager.default.removeItem(atPath: directory)
    }
}

extension JSONParser {
    /// The parsed reply, or nil when it is not JSON.
    static func parseOrNil(_ bytes: ArraySlice<UInt8>) -> JSONValue? { try? parse(bytes) }
}
