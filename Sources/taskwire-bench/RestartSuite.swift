import Foundation
import JSON
import TestSupport

/// What a large store costs at rest: the background snapshots while it is loaded, and restarts (spawn to the
/// first reply, and the recovery the server reports) with the resident memory per task after each.
///
/// With `--data-dir DIR` the data set is made there once and kept, so two binaries can be timed in turn on
/// the same directory (`scripts/bench-ab.sh`).
struct RestartSuite {
    let options: BenchOptions

    /// Restarts timed per data set.
    private var restarts: Int { options.quick ? 3 : 5 }

    func run() throws {
        let emptyRSS = try TaskDataSet.emptyServerRSS(options: options)

        for size in options.listSizes {
            let kept = options.dataDirectory.map { "\($0)/\(size)" }
            let directory = kept ?? options.workDirectory + "/taskwire-bench-restart-\(getpid())-\(size)"
            defer { if kept == nil { try? FileManager.default.removeItem(atPath: directory) } }
            emit("## restart with \(size) tasks\n")
            if Self.holdsData(directory) {
                emit("- data directory kept from an earlier run: \(directory)")
            } else {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                let loaded = try TaskDataSet.load(size: size, directory: directory, options: options)
                emit("- loaded at \(fixed(loaded.rate, 0)) creates/s (one pipelined stdio client, --durability none)")
                let snapshots = TaskDataSet.logEntries(loaded.log, message: "snapshot written")
                emit("- snapshots while loading (background thread; encode and write, ms):")
                for entry in snapshots {
                    let mebibytes = Double(entry["bytes"].flatMap { Int($0) } ?? 0) / 1_048_576
                    emit(
                        "  - up to record \(entry["last_record"] ?? "?"): \(fixed(mebibytes, 0)) MiB, encode "
                            + "\(entry["encode_ms"] ?? "?"), write \(entry["write_ms"] ?? "?")")
                }
                if snapshots.isEmpty {
                    emit(
                        "  - none logged (fewer records than a snapshot waits for, or a server older than that log line)"
                    )
                }
            }
            emit()
            emit("| restart | spawn to first reply (s) | recovery the server logged (s) | RSS (MiB) | bytes per task |")
            emit("|---|---|---|---|---|")
            var spawnTimes: [Double] = []
            for attempt in 1...restarts {
                let (seconds, recovery, rss) = try restart(directory)
                spawnTimes.append(seconds)
                emit(
                    "| \(attempt) | \(fixed(seconds, 2)) | \(recovery.map { fixed($0, 2) } ?? "-") | "
                        + "\(rss / 1_048_576) | \(fixed(Double(rss - emptyRSS) / Double(size), 0)) |")
            }
            emit("\n- median spawn to first reply: \(fixed(spawnTimes.sorted()[spawnTimes.count / 2], 2)) s\n")
        }
    }

    /// One start on `directory`: seconds to the first reply, the recovery seconds the server logged, RSS.
    private func restart(_ directory: String) throws -> (Double, Double?, Int) {
        let clock = ContinuousClock()
        let start = clock.now
        let server = try ServerProcess(
            executable: options.serverBinary,
            arguments: ["--data-dir", directory] + Harness.commonArguments + ["--log-level", "info"],
            standardError: .collect)
        _ = try server.stdioConnection().call(Request.ping(id: 1))
        let elapsed = clock.now - start
        let rss = server.residentBytes()
        server.stop()
        let recovery = TaskDataSet.logEntries(server.standardError, message: "starting").first?["recovery_ms"]
            .flatMap { Double($0) }.map { $0 / 1000 }
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, recovery, rss)
    }

    /// Whether `directory` already holds a store (a journal segment or a snapshot).
    private static func holdsData(_ directory: String) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.contains { $0.hasPrefix("journal") || $0.hasPrefix("snapshot-") }
    }
}
