import Foundation
import JSON
import Locking

/// Events delivered per second to 16 subscribers while 16 clients run durable creates, and the creates per
/// second beside it.
struct EventSuite {
    let options: BenchOptions
    static let subscribers = 16
    static let writers = 16

    func run() throws {
        let directory = options.workDirectory + "/taskwire-bench-events-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let harness = try Harness(
            binary: options.serverBinary,
            storage: ["--data-dir", directory, "--durability", "always"],
            workDirectory: options.workDirectory
        )
        defer { harness.stop() }

        let creates = options.quick ? 640 : 16_000
        let perWriter = creates / Self.writers
        let total = perWriter * Self.writers
        let listeners = try (0..<Self.subscribers).map { index in
            let connection = try harness.socketConnection()
            _ = try connection.call(
                Request.call(id: index, method: "events.subscribe", params: ["types": ["task_created"]]))
            return UncheckedBox(connection)
        }
        let writers = try (0..<Self.writers).map { _ in UncheckedBox(try harness.socketConnection()) }
        let clock = ContinuousClock()
        let start = clock.now
        let writesDone = Mutex<Duration?>(nil)
        let finished = Mutex(0)
        let outcomes = try onThreads(Self.subscribers + Self.writers) { index -> (received: Int, ended: Bool) in
            if index < Self.subscribers {
                let connection = listeners[index].value
                var received = 0
                while received < total {
                    let line = try connection.readLine()
                    let message = try JSONParser.parse(line)
                    if message["method"] == "events.event" { received += 1 }
                    if message["method"] == "events.subscription_ended" { return (received, true) }
                }
                return (received, false)
            }
            let connection = writers[index - Self.subscribers].value
            for sequence in 0..<perWriter {
                _ = try connection.call(
                    Request.call(
                        id: sequence, method: "tasks.create",
                        params: TaskFactory.createParams(client: index, sequence: sequence)))
            }
            if finished.withLock({ count in
                count += 1
                return count == Self.writers
            }) {
                writesDone.withLock { $0 = clock.now - start }
            }
            return (0, false)
        }
        let elapsed = clock.now - start
        for box in listeners + writers { box.value.closeConnection() }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let writeTime = writesDone.withLock { $0 } ?? elapsed
        let writeSeconds = Double(writeTime.components.seconds) + Double(writeTime.components.attoseconds) / 1e18
        let subscriberOutcomes = outcomes.prefix(Self.subscribers)
        let delivered = subscriberOutcomes.reduce(0) { $0 + $1.received }
        let ended = subscriberOutcomes.filter(\.ended).count

        emit("## Events: \(Self.subscribers) subscribers while \(Self.writers) clients create (durable)\n")
        emit("| creates | creates/s | events delivered | events/s | subscriptions ended by overflow |")
        emit("|---|---|---|---|---|")
        emit(
            "| \(total) | \(fixed(Double(total) / writeSeconds, 0)) | \(delivered) | "
                + "\(fixed(Double(delivered) / seconds, 0)) | \(ended) |")
        emit()
    }
}
