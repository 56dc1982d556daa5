#if Postgres
    import Glibc
    import Locking
    import TaskStore

    extension Duration {
        /// The duration in whole milliseconds, for `poll` and the log (clamped to `Int32`).
        var wholeMilliseconds: Int32 {
            let (seconds, attoseconds) = components
            return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        }
    }

    /// A pipe one thread waits on beside a database socket and others write to, to wake it at once.
    final class WakePipe: Sendable {
        let readEnd: Int32
        private let writeEnd: Int32

        init() throws(StoreError) {
            var ends: [Int32] = [-1, -1]
            guard pipe(&ends) == 0 else {
                throw StoreError(code: .io, message: "Cannot make a wake-up pipe", cause: "pipe: errno \(errno)")
            }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            for end in ends { _ = fcntl(end, F_SETFL, O_NONBLOCK) }
            (readEnd, writeEnd) = (ends[0], ends[1])
        }

        deinit {
            close(readEnd)
            close(writeEnd)
        }

        /// Wakes the waiter (a full pipe already will).
        func signal() {
            var byte: UInt8 = 1
            _ = write(writeEnd, &byte, 1)
        }

        /// Empties the pipe after a wake-up.
        func drain() {
            var bytes = [UInt8](repeating: 0, count: 64)
            while read(readEnd, &bytes, bytes.count) > 0 {}
        }

        /// Sleeps up to `milliseconds`, or until ``signal()``.
        func pause(milliseconds: Int32) {
            var descriptor = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, milliseconds)
            drain()
        }
    }

    /// The writes read nodes hand to the writer through the table `taskwire_requests` (docs/postgres.md,
    /// "Several servers on one database"), both ends of it, each on a thread and a connection of its own.
    ///
    /// A read node inserts a row with the request and waits, woken by `LISTEN taskwire_replies`, for the reply
    /// and the journal position the writer had committed when it answered; then it waits until it has
    /// applied that position, and deletes the row. The writer, woken by `LISTEN taskwire_requests`, claims the
    /// unclaimed rows (`FOR UPDATE SKIP LOCKED`), runs each, and records its reply. A row that a writer
    /// claimed and never answered (it died) is answered by the next writer as in doubt, never run again.
    /// Notifications are wake-ups only: both ends also look every `poll`, so a lost one only delays.
    final class PostgresRequestQueue: Sendable {
        typealias Handler = @Sendable (_ request: [UInt8], _ abandoned: Bool) async -> [UInt8]
        typealias Reply = Result<(reply: [UInt8], position: UInt64), ForwardingFailure>

        private struct Waiting {
            var continuation: CheckedContinuation<Reply, Never>
            var deadline: ContinuousClock.Instant
        }

        private struct Submission {
            var request: [UInt8]
            var continuation: CheckedContinuation<Reply, Never>
        }

        private struct State {
            var outgoing: [Submission] = []
            var waiting: [Int64: Waiting] = [:]
            var answered: [(id: Int64, reply: [UInt8])] = []
            var forwarder: WorkerThread?
            var forwarderStarted = false
            var server: WorkerThread?
            var serverStarted = false
            var closing = false
            var committed: (@Sendable () -> UInt64)?
        }

        static let requestChannel = "taskwire_requests"
        static let replyChannel = "taskwire_replies"

        private let conninfo: String
        private let poll: Duration
        private let timeout: Duration
        private let onWarning: @Sendable (String) -> Void
        private let state = Mutex(State())
        private let forwarderWake: WakePipe
        private let serverWake: WakePipe

        init(
            conninfo: String, poll: Duration, timeout: Duration, onWarning: @escaping @Sendable (String) -> Void
        ) throws(StoreError) {
            self.conninfo = conninfo
            self.poll = poll
            self.timeout = timeout
            self.onWarning = onWarning
            forwarderWake = try WakePipe()
            serverWake = try WakePipe()
        }

        /// Stops both threads; requests still waiting fail as in doubt.
        func close() {
            let threads = state.withLock { state in
                state.closing = true
                defer { (state.forwarder, state.server) = (nil, nil) }
                return (state.forwarder, state.server)
            }
            forwarderWake.signal()
            serverWake.signal()
            threads.0?.join()
            threads.1?.join()
            let (outgoing, waiting) = state.withLock { state in
                defer { (state.outgoing, state.waiting) = ([], [:]) }
                return (state.outgoing, state.waiting)
            }
            let closed = ForwardingFailure(message: "The server is shutting down", inDoubt: false)
            for submission in outgoing { submission.continuation.resume(returning: .failure(closed)) }
            let unknown = ForwardingFailure(
                message: "The server is shutting down; the writer may have applied the write", inDoubt: true)
            for item in waiting.values { item.continuation.resume(returning: .failure(unknown)) }
        }

        /// Tells the queue where the last committed journal record is read, recorded with each reply.
        func bind(committed: @escaping @Sendable () -> UInt64) {
            state.withLock { $0.committed = committed }
        }

        // MARK: The read node's end

        /// Hands `request` to the writer and returns its reply and the position it follows.
        func forward(_ request: [UInt8]) async -> Reply {
            await withCheckedContinuation { continuation in
                let refused: Bool = state.withLock { state in
                    if state.closing { return true }
                    state.outgoing.append(Submission(request: request, continuation: continuation))
                    return false
                }
                if refused {
                    continuation.resume(
                        returning: .failure(ForwardingFailure(message: "The server is shutting down", inDoubt: false)))
                    return
                }
                startForwarder()
                forwarderWake.signal()
            }
        }

        private func startForwarder() {
            let start = state.withLock { state in
                guard !state.forwarderStarted, !state.closing else { return false }
                state.forwarderStarted = true
                return true
            }
            guard start else { return }
            do {
                let thread = try WorkerThread(name: "postgres forwarder") { [self] in runForwarder() }
                state.withLock { $0.forwarder = thread }
            } catch {
                onWarning("Could not start the thread that forwards writes: \(error)")
            }
        }

        private func runForwarder() {
            var link = Link(
                conninfo: conninfo, channel: Self.replyChannel, work: "forwarding writes to the writer",
                onWarning: onWarning)
            defer { link.close() }
            // Replies are looked for after a notification or a quiet wait, not after each new submission.
            var repliesMayWait = true
            while !state.withLock({ $0.closing }) {
                do throws(PostgresError) {
                    let live = try link.live()
                    try submitOutgoing(on: live)
                    if repliesMayWait { try collectReplies(on: live) }
                    try expire(on: live)
                    link.worked()
                    let wake = try live.awaitNotification(
                        interrupt: forwarderWake.readEnd, timeoutMilliseconds: nextWait())
                    forwarderWake.drain()
                    repliesMayWait = wake != .interrupted
                } catch {
                    repliesMayWait = true
                    link.failed(error, pausing: forwarderWake)
                }
            }
        }

        /// How long the forwarder may sleep: until the next look, or the nearest deadline.
        private func nextWait() -> Int32 {
            let nearest = state.withLock { $0.waiting.values.map(\.deadline).min() }
            var wait = poll
            if let nearest { wait = min(wait, max(.zero, nearest - ContinuousClock.now)) }
            return wait.wholeMilliseconds
        }

        /// The most requests one statement hands over, and the most replies one statement records.
        private static let rowsPerStatement = 128

        /// Hands the waiting submissions over, many per statement (their `RETURNING` rows come back in the
        /// order of the `VALUES` list, which is how PostgreSQL runs a multi-row insert).
        private func submitOutgoing(on connection: PostgresConnection) throws(PostgresError) {
            var submissions = state.withLock { state in
                defer { state.outgoing = [] }
                return state.outgoing
            }
            while !submissions.isEmpty {
                let batch = Array(submissions.prefix(Self.rowsPerStatement))
                submissions.removeFirst(batch.count)
                do throws(PostgresError) {
                    let values = batch.indices.map { "($\($0 + 1))" }.joined(separator: ", ")
                    let rows = try connection.execute(
                        prepared: "taskwire_request_insert_\(batch.count)",
                        "INSERT INTO taskwire_requests (request) VALUES \(values) RETURNING id",
                        batch.map { .bytes($0.request) })
                    guard rows.count == batch.count else {
                        throw PostgresError(kind: .statement, message: "the insert returned \(rows.count) ids")
                    }
                    let deadline = ContinuousClock.now + timeout
                    state.withLock { state in
                        for (row, submission) in batch.enumerated() {
                            state.waiting[rows.integer(row, 0) ?? 0] = Waiting(
                                continuation: submission.continuation, deadline: deadline)
                        }
                    }
                } catch {
                    // The rows may or may not be in the table: say so rather than insert them twice.
                    let rest = submissions
                    state.withLock { $0.outgoing.insert(contentsOf: rest, at: 0) }
                    for submission in batch {
                        submission.continuation.resume(
                            returning: .failure(
                                ForwardingFailure(
                                    message: "The connection to PostgreSQL failed while handing the write to the "
                                        + "writer; it may have been applied", inDoubt: true)))
                    }
                    throw error
                }
            }
        }

        private func collectReplies(on connection: PostgresConnection) throws(PostgresError) {
            let ids = state.withLock { Array($0.waiting.keys) }
            guard !ids.isEmpty else { return }
            // Collected and deleted in one statement: a reply is read once.
            let rows = try connection.execute(
                prepared: "taskwire_request_collect",
                "DELETE FROM taskwire_requests WHERE id = ANY($1::bigint[]) AND reply IS NOT NULL "
                    + "RETURNING id, reply, reply_pos",
                [.text(Self.array(ids))])
            for row in 0..<rows.count {
                guard let waiting = state.withLock({ $0.waiting.removeValue(forKey: rows.integer(row, 0) ?? 0) })
                else { continue }
                let position = UInt64(max(0, rows.integer(row, 2) ?? 0))
                waiting.continuation.resume(returning: .success((rows.bytes(row, 1), position)))
            }
        }

        /// Answers the requests past their deadline: not applied when no writer took them (the row is deleted,
        /// so none will), in doubt when one did.
        private func expire(on connection: PostgresConnection) throws(PostgresError) {
            let now = ContinuousClock.now
            let expired = state.withLock { state in
                let ids = state.waiting.filter { $0.value.deadline <= now }.map(\.key)
                return ids.compactMap { id in state.waiting.removeValue(forKey: id).map { (id, $0) } }
            }
            let seconds = timeout.components.seconds
            for (id, waiting) in expired {
                let withdrawn = try connection.execute(
                    "DELETE FROM taskwire_requests WHERE id = $1 AND claimed_at IS NULL RETURNING id", [.integer(id)])
                let failure =
                    withdrawn.isEmpty
                    ? ForwardingFailure(
                        message: "The writer took the write and did not answer within \(seconds) s; it may have "
                            + "been applied", inDoubt: true)
                    : ForwardingFailure(
                        message: "No writer took the write within \(seconds) s, so it was not applied", inDoubt: false)
                waiting.continuation.resume(returning: .failure(failure))
            }
        }

        // MARK: The writer's end

        /// Starts taking requests: call it when this node writes (again after a take-over).
        func serve(_ handler: @escaping Handler) {
            let start = state.withLock { state in
                guard !state.serverStarted, !state.closing else { return false }
                state.serverStarted = true
                return true
            }
            guard start else { return }
            do {
                let thread = try WorkerThread(name: "postgres requests") { [self] in runServer(handler) }
                state.withLock { $0.server = thread }
            } catch {
                onWarning("Could not start the thread that takes forwarded writes: \(error)")
            }
        }

        private func runServer(_ handler: @escaping Handler) {
            var link = Link(
                conninfo: conninfo, channel: Self.requestChannel, work: "taking forwarded writes", onWarning: onWarning)
            defer { link.close() }
            var lookedForAbandoned = false
            // Requests are claimed after a notification or a quiet wait, not after each answer handled.
            var requestsMayWait = true
            var lastSweep = ContinuousClock.now
            while true {
                let closing = state.withLock { $0.closing }
                do throws(PostgresError) {
                    let live = try link.live()
                    try recordAnswers(on: live)
                    if closing { break }
                    if !lookedForAbandoned {
                        // Claimed before this writer started: by one that died before it answered.
                        let rows = try live.execute(
                            "SELECT id, request FROM taskwire_requests WHERE claimed_at IS NOT NULL AND reply IS NULL")
                        for row in 0..<rows.count {
                            run(handler, id: rows.integer(row, 0) ?? 0, request: rows.bytes(row, 1), abandoned: true)
                        }
                        lookedForAbandoned = true
                    }
                    guard requestsMayWait else {
                        requestsMayWait =
                            try live.awaitNotification(
                                interrupt: serverWake.readEnd, timeoutMilliseconds: poll.wholeMilliseconds)
                            != .interrupted
                        serverWake.drain()
                        continue
                    }
                    let claimed = try live.execute(
                        prepared: "taskwire_request_claim",
                        """
                        UPDATE taskwire_requests SET claimed_at = now() WHERE id IN (
                            SELECT id FROM taskwire_requests WHERE claimed_at IS NULL ORDER BY id LIMIT 256
                            FOR UPDATE SKIP LOCKED
                        ) RETURNING id, request
                        """, [])
                    for row in 0..<claimed.count {
                        run(handler, id: claimed.integer(row, 0) ?? 0, request: claimed.bytes(row, 1), abandoned: false)
                    }
                    if ContinuousClock.now - lastSweep > .seconds(60) {
                        // Replies no read node collected (it died waiting).
                        try live.execute(
                            "DELETE FROM taskwire_requests WHERE answered_at < now() - interval '10 minutes'")
                        lastSweep = ContinuousClock.now
                    }
                    link.worked()
                    if claimed.count == 256 { continue }
                    requestsMayWait =
                        try live.awaitNotification(
                            interrupt: serverWake.readEnd, timeoutMilliseconds: poll.wholeMilliseconds) != .interrupted
                    serverWake.drain()
                } catch {
                    requestsMayWait = true
                    if closing { break }
                    link.failed(error, pausing: serverWake)
                }
            }
        }

        private func run(_ handler: @escaping Handler, id: Int64, request: [UInt8], abandoned: Bool) {
            Task {
                let reply = await handler(request, abandoned)
                state.withLock { $0.answered.append((id, reply)) }
                serverWake.signal()
            }
        }

        /// Records the replies handled so far, with the last committed record; the trigger on `reply` wakes the
        /// read nodes when the statement commits.
        private func recordAnswers(on connection: PostgresConnection) throws(PostgresError) {
            let answered = state.withLock { state in
                defer { state.answered = [] }
                return state.answered
            }
            guard !answered.isEmpty else { return }
            // Each handler waited for its write to commit: every one is at or before this record.
            let position = state.withLock { $0.committed }?() ?? 0
            for start in stride(from: 0, to: answered.count, by: Self.rowsPerStatement) {
                let batch = answered[start..<min(answered.count, start + Self.rowsPerStatement)]
                let values = (0..<batch.count).map { "($\($0 * 2 + 2)::bigint, $\($0 * 2 + 3)::bytea)" }
                var parameters: [PostgresValue] = [.integer(Int64(position))]
                for answer in batch { parameters += [.integer(answer.id), .bytes(answer.reply)] }
                do throws(PostgresError) {
                    try connection.execute(
                        prepared: "taskwire_request_answer_\(batch.count)",
                        "UPDATE taskwire_requests AS request SET reply = answer.reply, reply_pos = $1, "
                            + "answered_at = now() FROM (VALUES \(values.joined(separator: ", "))) "
                            + "AS answer (id, reply) WHERE request.id = answer.id",
                        parameters)
                } catch {
                    let rest = answered[start...]
                    state.withLock { $0.answered.insert(contentsOf: rest, at: 0) }
                    throw error
                }
            }
        }

        // MARK: Helpers

        /// The connection of one of the queue's threads: made again when lost, readied for the queue, and a
        /// warning said once when it starts failing and once when it works again.
        private struct Link {
            let conninfo: String
            let channel: String
            /// What the thread does, for the warnings ("forwarding writes to the writer").
            let work: String
            let onWarning: @Sendable (String) -> Void
            private var connection: PostgresConnection?
            private var warned = false
            private var delay: Duration = .milliseconds(20)

            init(conninfo: String, channel: String, work: String, onWarning: @escaping @Sendable (String) -> Void) {
                self.conninfo = conninfo
                self.channel = channel
                self.work = work
                self.onWarning = onWarning
            }

            /// The connection, made (again) when there is none that works. A new session listens on
            /// `channel` and commits without waiting for the disk: a request, a claim or a reply is made
            /// durable by the journal commit that follows it (PostgreSQL flushes the write-ahead log in order,
            /// up to that commit), and a crash that loses one only turns the answer into a 503 after the
            /// deadline: not applied while nothing was claimed, in doubt once something was.
            mutating func live() throws(PostgresError) -> PostgresConnection {
                if let connection, connection.isHealthy { return connection }
                connection?.close()
                let fresh = try PostgresConnection(conninfo: conninfo)
                connection = fresh
                try fresh.execute("SET synchronous_commit TO off")
                try fresh.execute("LISTEN \(channel)")
                return fresh
            }

            mutating func worked() {
                if warned {
                    onWarning("PostgreSQL: \(work) works again")
                    warned = false
                }
                delay = .milliseconds(20)
            }

            /// Warns (once), then waits before the next try, longer each time up to a second, or until `wake`.
            mutating func failed(_ error: PostgresError, pausing wake: WakePipe) {
                if !warned {
                    onWarning("PostgreSQL: \(work) failed, retrying: \(error)")
                    warned = true
                }
                wake.pause(milliseconds: delay.wholeMilliseconds)
                delay = min(delay * 2, .seconds(1))
            }

            func close() { connection?.close() }
        }

        /// A PostgreSQL array literal of `ids`, for `= ANY($1::bigint[])`.
        private static func array(_ ids: [Int64]) -> String {
            "{" + ids.map(String.init).joined(separator: ",") + "}"
        }

    }
#endif
