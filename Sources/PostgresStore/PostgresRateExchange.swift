import Locking
package import TaskStore

/// The rate-limited calls of one user and operation that a node admitted within their window.
package struct SharedCallCount: Sendable, Hashable {
    package var user: String
    package var operation: String
    /// How many calls are still in the window.
    package var calls: Int
    /// The time of the oldest of them, in seconds since 1970.
    package var oldest: Double

    package init(user: String, operation: String, calls: Int, oldest: Double) {
        self.user = user
        self.operation = operation
        self.calls = calls
        self.oldest = oldest
    }
}

/// Shares each node's rate-limited calls with every other node on the database, so a user's limit holds for
/// the whole fleet (docs/postgres.md, "Several servers on one database").
///
/// Once a period (a second), on a thread and a connection of its own, it replaces this node's counts in
/// `taskwire_rate_calls` by what `local` returns and hands `received` the sums of every other node that
/// reported within the last ``stalePeriod``, in one transaction. A node that stops reporting, or dies, stops
/// counting after that; one silent for an hour is deleted. While the database is unreachable it keeps
/// trying, and the limits count this node's calls alone.
package final class PostgresRateExchange: Sendable {
    /// How long another node's report counts after it was made.
    package static let stalePeriod: Duration = .seconds(10)

    #if Postgres
        /// What the thread and ``close()`` share.
        private final class Control: Sendable {
            let wake = Wakeup()
            let stopped = Mutex(false)
        }

        private let control = Control()
        private let thread = Mutex<WorkerThread?>(nil)
    #endif

    /// This node's name in the table (unique per process).
    package let node: String

    /// Starts exchanging every `period`.
    package init(
        conninfo: String, period: Duration = .seconds(1), local: @escaping @Sendable () -> [SharedCallCount],
        received: @escaping @Sendable ([SharedCallCount]) -> Void, onWarning: @escaping @Sendable (String) -> Void
    ) throws(StoreError) {
        node = String(UInt64.random(in: 1...UInt64.max), radix: 16)
        #if Postgres
            let node = self.node
            let control = self.control
            let worker = try WorkerThread(name: "postgres rate exchange") {
                Self.run(
                    conninfo: conninfo, node: node, period: period, local: local, received: received,
                    onWarning: onWarning, control: control)
            }
            thread.withLock { $0 = worker }
        #else
            throw PostgresBackend.notBuilt
        #endif
    }

    /// Stops the thread and deletes this node's counts (best effort).
    package func close() {
        #if Postgres
            control.stopped.withLock { $0 = true }
            control.wake.signal()
            thread.withLock { thread in
                thread?.join()
                thread = nil
            }
        #endif
    }

    #if Postgres
        private static func run(
            conninfo: String, node: String, period: Duration, local: @Sendable () -> [SharedCallCount],
            received: @Sendable ([SharedCallCount]) -> Void, onWarning: @Sendable (String) -> Void, control: Control
        ) {
            var connection: PostgresConnection?
            var failing = false
            while !control.stopped.withLock({ $0 }) {
                do throws(PostgresError) {
                    if connection == nil || connection?.isHealthy == false {
                        connection?.close()
                        connection = try PostgresConnection(conninfo: conninfo)
                    }
                    guard let connection else { continue }
                    try exchange(on: connection, node: node, local: local(), received: received)
                    if failing { onWarning("PostgreSQL: rate limits are shared with the other nodes again") }
                    failing = false
                } catch {
                    if !failing {
                        onWarning("PostgreSQL: sharing rate limits with the other nodes failed, retrying: \(error)")
                    }
                    failing = true
                    connection?.close()
                    connection = nil
                }
                control.wake.wait(timeoutNanoseconds: Int64(period.wholeMilliseconds) * 1_000_000)
            }
            if let connection {
                _ = try? connection.execute("DELETE FROM taskwire_rate_nodes WHERE node = $1", [.text(node)])
                connection.close()
            }
        }

        /// The rows of one INSERT statement.
        private static let rowsPerStatement = 200

        private static func exchange(
            on connection: PostgresConnection, node: String, local: [SharedCallCount],
            received: ([SharedCallCount]) -> Void
        ) throws(PostgresError) {
            try connection.transaction { () throws(PostgresError) in
                try connection.execute(
                    """
                    INSERT INTO taskwire_rate_nodes (node, reported_at, read_at) VALUES ($1, now(), now())
                    ON CONFLICT (node) DO UPDATE SET reported_at = excluded.reported_at
                    """, [.text(node)])
                try connection.execute("DELETE FROM taskwire_rate_calls WHERE node = $1", [.text(node)])
                for start in stride(from: 0, to: local.count, by: rowsPerStatement) {
                    let rows = local[start..<min(start + rowsPerStatement, local.count)]
                    var sql = "INSERT INTO taskwire_rate_calls (node, user_id, operation, calls, oldest) VALUES "
                    var parameters: [PostgresValue] = [.text(node)]
                    for (index, count) in rows.enumerated() {
                        let first = parameters.count + 1
                        if index > 0 { sql += ", " }
                        sql += "($1, $\(first), $\(first + 1), $\(first + 2), $\(first + 3)::double precision)"
                        parameters += [
                            .text(count.user), .text(count.operation), .integer(Int64(count.calls)),
                            .text(String(count.oldest)),
                        ]
                    }
                    try connection.execute(sql, parameters)
                }
                // Everything committed before this instant is in the read below; `read_at` records it.
                let instant = try connection.execute("SELECT clock_timestamp()::text").text(0, 0) ?? ""
                let others = try connection.execute(
                    """
                    SELECT c.user_id, c.operation, sum(c.calls)::bigint, min(c.oldest)::text
                    FROM taskwire_rate_calls c JOIN taskwire_rate_nodes n USING (node)
                    WHERE c.node <> $1 AND n.reported_at > now() - interval '\(stalePeriod.components.seconds) seconds'
                    GROUP BY c.user_id, c.operation
                    """, [.text(node)])
                received(
                    (0..<others.count).map { row in
                        SharedCallCount(
                            user: others.text(row, 0) ?? "", operation: others.text(row, 1) ?? "",
                            calls: Int(others.integer(row, 2) ?? 0), oldest: Double(others.text(row, 3) ?? "") ?? 0)
                    })
                try connection.execute(
                    "UPDATE taskwire_rate_nodes SET read_at = $2::timestamptz WHERE node = $1",
                    [.text(node), .text(instant)])
                try connection.execute("DELETE FROM taskwire_rate_nodes WHERE reported_at < now() - interval '1 hour'")
            }
        }
    #endif
}
