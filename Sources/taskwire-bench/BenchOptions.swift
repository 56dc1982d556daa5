import Foundation

/// What to measure and against which binary, from the command line.
struct BenchOptions {
    var serverBinary: String
    var suites: Set<String> = ["transport", "anchors", "writes", "reads", "events"]
    var listSizes: [Int] = [100_000, 1_000_000]
    var quick = false
    /// Client counts the anchors suite sweeps each series over (`--clients`); empty: no sweep.
    var clientCounts: [Int] = []
    /// Where the anchors suite writes its figures as JSON (`--json`), for `scripts/bench-plot.py`.
    var jsonOutput: String?
    /// The `redis-server` for the anchors (`--redis`); nil: the one on PATH, if any.
    var redisBinary: String?
    /// Where data directories and sockets go: a fresh temporary directory that `main` removes at the end.
    var workDirectory = ""
    /// Where the restart suite keeps its data sets between runs (`--data-dir`); nil: a temporary one.
    var dataDirectory: String?
    /// The database the postgres suite uses (`--postgres`); it works in a schema of its own and drops it.
    var postgres: String?

    static let usage = """
        usage: taskwire-bench [--server PATH] [--suite transport|anchors|writes|reads|restart|workflows|events|analytics|connections|postgres|all]... [--tasks N[,N...]]
                              [--clients N[,N...]] [--json FILE] [--redis PATH] [--data-dir DIR] [--postgres URL] [--quick]
               taskwire-bench echo [--socket PATH]      (the floor server; used by the benchmark itself)

          --server PATH   the taskwire binary (default: the one next to this benchmark)
          --suite NAME    transport: ping latency and pipelined throughput against an echo floor
                          anchors: ping with 1 and 16 clients beside a raw echo; durable tasks.create (64
                            clients) beside Redis HSET with appendfsync always; tasks.get (16) beside HGET
                          writes: durable tasks.create with 1, 16 and 64 clients; tasks.get
                          reads: tasks.list on large data sets, restart time, resident memory per task
                          restart: the snapshots while a large data set loads, then restarts (spawn to
                            first reply, the recovery the server logs) and resident memory per task
                          workflows: a 1,000-step workflows.create, then workflows.status and get p50/p99
                          events: events/s delivered to 16 subscribers while 16 clients create
                          analytics: tasks.analytics p50/p99 per filter on large data sets, next to tasks.get
                          connections: ping and tasks.get with 1 and 16 socket clients against the echo
                          floor; memory and threads with 10,000 idle connections, and after they close
          --tasks LIST    data-set sizes for the reads, restart and analytics suites (default 100000,1000000)
          --clients LIST  anchors: also sweep every series over these client counts (e.g. 1,2,4,8,16,32,64)
          --json FILE     anchors: write the sweep as JSON, for scripts/bench-plot.py
          --redis PATH    anchors: the redis-server to start (default: redis-server on PATH; skipped if none)
          --data-dir DIR  restart: make each data set in DIR/SIZE once and keep it (for A/B runs)
          --postgres URL  postgres (the only suite run unless --suite names others): durable tasks.create with
                            1 and 64 clients on --postgres and on a data directory, beside pgbench inserting
                            one row per transaction on the same database; then three servers on it (one
                            writer, two read nodes) and the delay of an event to a read node's subscriber;
                            needs a build with the Postgres trait, psql and pgbench
          --quick         fewer iterations, for a smoke run
        """

    static let allSuites: Set<String> = [
        "transport", "anchors", "writes", "reads", "restart", "workflows", "events", "analytics", "connections",
    ]

    init(arguments: [String]) throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        serverBinary = executable.deletingLastPathComponent().appendingPathComponent("taskwire").path
        var explicitSuites: Set<String> = []
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--server":
                guard let value = iterator.next() else { throw BenchError("--server needs a path") }
                serverBinary = value
            case "--suite":
                guard let value = iterator.next() else { throw BenchError("--suite needs a name") }
                if value == "all" {
                    explicitSuites.formUnion(Self.allSuites)
                } else {
                    guard Self.allSuites.contains(value) || value == "postgres" else {
                        throw BenchError("unknown suite \(value)")
                    }
                    explicitSuites.insert(value)
                }
            case "--tasks":
                guard let value = iterator.next() else { throw BenchError("--tasks needs sizes") }
                listSizes = try value.split(separator: ",").map {
                    guard let size = Int($0), size > 0 else { throw BenchError("bad size \($0)") }
                    return size
                }
            case "--clients":
                guard let value = iterator.next() else { throw BenchError("--clients needs counts") }
                clientCounts = try value.split(separator: ",").map {
                    guard let count = Int($0), (1...1_024).contains(count) else {
                        throw BenchError("bad client count \($0)")
                    }
                    return count
                }
            case "--json":
                guard let value = iterator.next() else { throw BenchError("--json needs a file") }
                jsonOutput = value
            case "--redis":
                guard let value = iterator.next() else { throw BenchError("--redis needs a path") }
                redisBinary = value
            case "--data-dir":
                guard let value = iterator.next() else { throw BenchError("--data-dir needs a directory") }
                dataDirectory = value
            case "--postgres":
                guard let value = iterator.next() else { throw BenchError("--postgres needs a connection string") }
                postgres = value
            case "--quick": quick = true
            case "--help", "-h":
                emit(Self.usage)
                exit(0)
            default: throw BenchError("unknown argument \(argument)\n\(Self.usage)")
            }
        }
        if postgres != nil { explicitSuites.insert("postgres") }
        if explicitSuites.contains("postgres"), postgres == nil {
            throw BenchError("--suite postgres needs --postgres URL")
        }
        if !explicitSuites.isEmpty { suites = explicitSuites }
    }
}
