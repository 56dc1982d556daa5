import Foundation
import JSON
import TestSupport

/// `workflows.create` of a 1,000-step workflow and `workflows.status` / `workflows.get` on it.
struct WorkflowSuite {
    let options: BenchOptions
    static let stepCount = 1_000

    /// Steps `S0`…`S999`, each depending on the one before it and on the one at half its index, so the graph
    /// has about two edges per step and a long critical path.
    static var steps: JSONValue {
        .array(
            (0..<stepCount).map { index in
                var dependencies: [JSONValue] = []
                if index > 0 { dependencies.append(.string("S\(index - 1)")) }
                if index > 1, index / 2 != index - 1 { dependencies.append(.string("S\(index / 2)")) }
                return [
                    "name": .string("S\(index)"), "assignee": .string("user\(index % 50)"),
                    "duration_hours": .int(index % 7 + 1), "depends_on": .array(dependencies),
                ]
            })
    }

    func run() throws {
        let server = try ServerProcess(
            executable: options.serverBinary, arguments: ["--in-memory"] + Harness.commonArguments,
            standardError: .inherit)
        defer { server.stop() }
        let connection = server.stdioConnection()
        _ = try connection.call(Request.ping(id: 1))
        let clock = ContinuousClock()
        let begin = clock.now
        let created = try connection.call(
            Request.call(id: 2, method: "workflows.create", params: ["name": "Bench", "steps": Self.steps]))
        let createTime = clock.now - begin
        guard let id = created["workflow_id"]?.stringValue else { throw BenchError("create failed: \(created)") }

        emit("## workflows on a \(Self.stepCount)-step workflow\n")
        emit("- workflows.create (\(Self.stepCount) tasks in one record): \(fixed(milliseconds(createTime), 2)) ms\n")
        emit("| method | p50 (ms) | p99 (ms) |")
        emit("|---|---|---|")
        let iterations = options.quick ? 50 : 500
        for method in ["workflows.status", "workflows.get"] {
            var samples = LatencySamples()
            for iteration in 0..<iterations {
                let request = Request.call(id: 10 + iteration, method: method, params: ["workflow_id": .string(id)])
                let start = clock.now
                _ = try connection.call(request)
                samples.record(clock.now - start)
            }
            emit(
                "| \(method) | \(fixed(samples.percentile(50) / 1000, 3)) | \(fixed(samples.percentile(99) / 1000, 3)) |"
            )
        }
        emit()
    }

    private func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
