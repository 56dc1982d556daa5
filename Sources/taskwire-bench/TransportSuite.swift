import Foundation
import TestSupport

/// Ping latency with one client and pipelined throughput with several, over stdio and a Unix socket,
/// each beside an echo server over the same transport measured in the same run.
struct TransportSuite {
    let options: BenchOptions

    private var roundTrips: Int { options.quick ? 2_000 : 20_000 }
    private var pipelinedMessages: Int { options.quick ? 40_000 : 400_000 }
    private let window = 128
    private let socketClients = 4

    func run() throws {
        emit("## Transport: ping (in-memory server) against an echo floor\n")
        emit("| transport | measure | taskwire | echo floor | ratio |")
        emit("|---|---|---|---|---|")
        let bench = CommandLine.arguments[0]

        // stdio
        let stdioServer = try ServerProcess(
            executable: options.serverBinary,
            arguments: ["--in-memory"] + Harness.commonArguments, standardError: .inherit
        )
        let stdioFloor = try ServerProcess(executable: bench, arguments: ["echo"], standardError: .inherit)
        let serverLatency = try latency(stdioServer.stdioConnection())
        let floorLatency = try latency(stdioFloor.stdioConnection())
        let serverRate = try throughput([stdioServer.stdioConnection()])
        let floorRate = try throughput([stdioFloor.stdioConnection()])
        stdioServer.stop()
        stdioFloor.stop()
        report("stdio", serverLatency, floorLatency, serverRate, floorRate, clients: 1)

        // Unix socket
        let harness = try Harness(
            binary: options.serverBinary,
            storage: ["--in-memory"],
            workDirectory: options.workDirectory
        )
        let (socketFloor, floorPath) = try EchoServer.spawnSocket(
            workDirectory: options.workDirectory, name: "taskwire-bench-echo")
        let socketLatency = try latency(try harness.socketConnection())
        let socketFloorLatency = try latency(try WireConnection.unix(path: floorPath))
        let socketRate = try throughput((0..<socketClients).map { _ in try harness.socketConnection() })
        let socketFloorRate = try throughput((0..<socketClients).map { _ in try WireConnection.unix(path: floorPath) })
        harness.stop()
        socketFloor.stop()
        report("unix socket", socketLatency, socketFloorLatency, socketRate, socketFloorRate, clients: socketClients)
        emit()
    }

    private func report(
        _ transport: String,
        _ server: LatencySamples,
        _ floor: LatencySamples,
        _ serverRate: Double,
        _ floorRate: Double,
        clients: Int
    ) {
        for (label, percentile) in [("p50", 50.0), ("p99", 99.0)] {
            let ours = server.percentile(percentile)
            let theirs = floor.percentile(percentile)
            emit(
                "| \(transport) | ping \(label), 1 client (µs) | \(fixed(ours)) | \(fixed(theirs)) | \(fixed(ours / theirs, 2))× |"
            )
        }
        emit(
            "| \(transport) | pipelined msgs/s, \(clients) client(s), window \(window) | \(fixed(serverRate, 0)) | "
                + "\(fixed(floorRate, 0)) | \(fixed(serverRate / floorRate, 2))× |"
        )
    }

    /// One client, one request at a time.
    private func latency(_ connection: WireConnection) throws -> LatencySamples {
        let clock = ContinuousClock()
        var samples = LatencySamples()
        for id in 0..<(roundTrips + roundTrips / 10) {
            let request = Request.ping(id: id)
            let start = clock.now
            try connection.send(request)
            _ = try connection.readLine()
            if id >= roundTrips / 10 { samples.record(clock.now - start) }
        }
        return samples
    }

    /// Every client keeps `window` requests in flight; returns messages per second over all clients.
    private func throughput(_ connections: [WireConnection]) throws -> Double {
        let perClient = pipelinedMessages / connections.count / window * window
        let boxes = connections.map { UncheckedBox($0) }
        let window = self.window
        let seconds = try measure {
            _ = try onThreads(boxes.count) { index in
                let connection = boxes[index].value
                var batch: [UInt8] = []
                for id in 0..<window { batch.append(contentsOf: Request.ping(id: id)) }
                for _ in 0..<(perClient / window) {
                    try connection.send(batch)
                    for _ in 0..<window { _ = try connection.readLine() }
                }
            }
        }
        return Double(perClient * connections.count) / seconds
    }
}

/// Hands a value that is used by exactly one thread at a time to that thread.
///
/// Unchecked because `WireConnection` keeps a mutable read buffer and is not `Sendable`: each box is read
/// by the one thread `onThreads` starts for it, after the spawning thread stopped using the connection, and
/// `Thread.start` orders that hand-off. The benchmark is the only user.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
