#if Postgres
    import Glibc
    import Locking
    package import TaskStore

    /// A store in a PostgreSQL database: the journal, snapshots and blobs as rows (docs/postgres.md).
    ///
    /// It keeps the file store's promises: a ticket completes only after the transaction holding its record
    /// committed, records commit in append order, and a snapshot is written whole or not at all. Appends are
    /// queued and written by one writer thread, many records per transaction. Every libpq call blocks, so each
    /// runs on a thread of the store's own (the writer, a snapshot thread) or in the blob calls, which the engine
    /// already runs off the concurrency pool.
    ///
    /// A lost connection is retried, reconnecting, for ``Options/retryWindow``; a write whose commit was in
    /// flight is looked up after reconnecting, so it is neither lost nor written twice. Past the window the store
    /// fails as the file store fails on a broken disk: pending tickets fail (the client gets 503 `unavailable`),
    /// later appends are refused, and ``Options/onFailure`` tells the server to stop and recover from the
    /// database when restarted. One taskwire writes a database at a time: it holds an advisory lock for as long
    /// as it runs. Opened while another one holds it, with ``Options/whenServed`` `.follow`, the store is a read
    /// node: it refuses appends, hands over the rows the writer commits (``follow(apply:reload:promoted:)``), and takes
    /// the lock and starts writing when the writer is gone.
    package final class PostgresStore: ForwardingStore {
        /// How the store behaves (``PostgresStoreOptions``).
        package typealias Options = PostgresStoreOptions

        private struct Pending {
            var position: UInt64
            var record: [UInt8]
        }

        private struct State {
            var pending: [Pending] = []
            var lastAppended: UInt64
            /// Records up to here are committed.
            var acknowledged: UInt64
            var waiters: [DurabilityWaiter] = []
            var failure: StoreError?
            var closing = false
            var stopped = false
            var recovered: RecoveredState?
            var recordsSinceSnapshot: Int
            var bytesSinceSnapshot: Int
            /// The thread of the newest snapshot, joined before the next one starts and at close.
            var snapshotThread: WorkerThread?
            /// Whether a snapshot is being written (its thread clears it when done).
            var snapshotRunning = false
            var writerThread: WorkerThread?
            /// The newest durable snapshot and the one before it (kept as a fallback), by the record they cover.
            var snapshots: [UInt64]
            /// Whether another process writes the database and this store follows it.
            var following: Bool
            /// What runs the writes read nodes forward, once the server gave it (``serveForwarded(_:)``).
            var forwardedHandler: PostgresRequestQueue.Handler?
        }

        private let options: Options
        private let conninfo: String
        private let state: Mutex<State>
        private let wakeup = Wakeup()
        /// The writer thread's connection; it also holds the serving lock.
        private let writer: PostgresConnection
        /// The connection the blob calls share, made at the first one.
        private let blobs = Mutex<PostgresConnection?>(nil)
        private let recoveredLastRecord: UInt64
        /// Wakes a read node waiting for the writer's rows, at ``close()``.
        private let followerWake: WakePipe
        /// Writes read nodes hand to the writer.
        private let requests: PostgresRequestQueue

        // MARK: Opening

        /// Connects, checks the schema, takes the serving lock and recovers the database's contents.
        ///
        /// - Parameter conninfo: a `postgresql://` URL or libpq keywords; empty uses the `PG*` variables.
        /// - Throws: ``StoreError/Code/io`` when the database cannot be reached or is not migrated,
        ///   ``StoreError/Code/locked`` when another taskwire serves it, ``StoreError/Code/damaged`` when a
        ///   journal row is missing or fails its checksum and no snapshot covers it.
        package static func open(conninfo: String, options: Options = Options()) throws(StoreError) -> PostgresStore {
            let connection: PostgresConnection
            do { connection = try PostgresConnection(conninfo: conninfo) } catch {
                throw error.storeError(.io, doing: "connecting")
            }
            try PostgresSchema.requireCurrent(connection, conninfo: conninfo)
            let writes: Bool
            switch options.whenServed {
            case .refuse:
                try takeServingLock(connection, waiting: options.lockWait)
                writes = true
            case .follow:
                do { writes = try tryServingLock(connection) } catch {
                    throw error.storeError(.io, doing: "taking the serving lock")
                }
            }
            let recovery: PostgresRecovery
            do {
                // A read node reads while the writer writes: one consistent view of the snapshot and the rows.
                if !writes { try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") }
                recovery = try PostgresRecovery.read(connection)
                if !writes { try connection.execute("COMMIT") }
            } catch let error as PostgresError {
                throw error.storeError(.io, doing: "reading the journal")
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError(code: .io, message: "PostgreSQL: reading the journal failed", cause: "\(error)")
            }
            let requests = try PostgresRequestQueue(
                conninfo: conninfo, poll: options.followPoll, timeout: options.forwardTimeout,
                onWarning: options.onWarning)
            let store = PostgresStore(
                conninfo: conninfo, connection: connection, options: options, recovery: recovery, following: !writes,
                followerWake: try WakePipe(), requests: requests)
            requests.bind { [weak store] in store?.state.withLock { $0.acknowledged } ?? 0 }
            if writes { try store.startWriter() }
            return store
        }

        private init(
            conninfo: String, connection: PostgresConnection, options: Options, recovery: PostgresRecovery,
            following: Bool, followerWake: WakePipe, requests: PostgresRequestQueue
        ) {
            self.conninfo = conninfo
            self.options = options
            self.writer = connection
            self.followerWake = followerWake
            self.requests = requests
            let last = recovery.lastRecord
            recoveredLastRecord = last
            var recovered = RecoveredState(
                snapshot: recovery.snapshot, records: recovery.records, warnings: recovery.warnings)
            // Snapshot transactions are atomic, so a crash never leaves half of one; but a server killed again
            // and again before its snapshot committed leaves a journal past the thresholds: snapshot it first.
            // (A read node writes no snapshot: the writer does.)
            recovered.snapshotBeforeServing =
                !following
                && (recovery.records.count >= options.snapshotRecordThreshold
                    || recovery.recordBytes >= options.snapshotByteThreshold)
            state = Mutex(
                State(
                    lastAppended: last, acknowledged: last, recovered: recovered,
                    recordsSinceSnapshot: recovery.records.count, bytesSinceSnapshot: recovery.recordBytes,
                    snapshots: recovery.snapshotCovers, following: following))
        }

        /// Takes the serving lock if no other session holds it; never waits.
        private static func tryServingLock(_ connection: PostgresConnection) throws(PostgresError) -> Bool {
            try connection.execute("SELECT pg_try_advisory_lock($1)", [.integer(PostgresSchema.servingLock)])
                .bytes(0, 0) == [1]
        }

        /// Takes the session-level advisory lock that marks the serving node, waiting up to `wait` for a
        /// previous process's connection to close.
        private static func takeServingLock(_ connection: PostgresConnection, waiting wait: Duration) throws(StoreError)
        {
            let deadline = ContinuousClock.now + wait
            while true {
                let taken: Bool
                do { taken = try tryServingLock(connection) } catch {
                    throw error.storeError(.io, doing: "taking the serving lock")
                }
                if taken { return }
                guard ContinuousClock.now < deadline else {
                    throw StoreError(
                        code: .locked,
                        message: "Another taskwire writes this PostgreSQL database (it holds advisory lock "
                            + "\(PostgresSchema.servingLock)); stop it first, or make the change through a server"
                    )
                }
                usleep(50_000)
            }
        }

        private func startWriter() throws(StoreError) {
            let thread = try WorkerThread(name: "postgres writer") { [self] in runWriter() }
            state.withLock { $0.writerThread = thread }
        }

        // MARK: Store

        package func recover() throws(StoreError) -> RecoveredState {
            state.withLock { state in
                defer { state.recovered = nil }
                return state.recovered ?? RecoveredState()
            }
        }

        package func append(_ record: [UInt8]) throws(StoreError) -> CommitTicket {
            let outcome: Result<UInt64, StoreError> = state.withLock { state in
                if let failure = state.failure { return .failure(failure) }
                if state.closing || state.stopped { return .failure(Self.closedError) }
                if state.following { return .failure(Self.readOnlyError) }
                state.lastAppended += 1
                state.pending.append(Pending(position: state.lastAppended, record: record))
                state.recordsSinceSnapshot += 1
                state.bytesSinceSnapshot += record.count
                return .success(state.lastAppended)
            }
            wakeup.signal()
            return ticket(for: try outcome.get())
        }

        package func barrier() -> CommitTicket {
            ticket(for: state.withLock { $0.lastAppended })
        }

        package var recordsSinceSnapshot: Int { state.withLock { $0.recordsSinceSnapshot } }

        package var snapshotDue: Bool {
            state.withLock {
                $0.recordsSinceSnapshot >= options.snapshotRecordThreshold
                    || $0.bytesSinceSnapshot >= options.snapshotByteThreshold
            }
        }

        @discardableResult
        package func snapshot(encode: @escaping @Sendable () -> [UInt8]) -> Bool {
            let covers: UInt64? = state.withLock { state in
                guard state.failure == nil, !state.closing, !state.following, !state.snapshotRunning,
                    state.lastAppended > (state.snapshots.first ?? 0)
                else { return nil }
                state.snapshotRunning = true
                state.recordsSinceSnapshot = 0
                state.bytesSinceSnapshot = 0
                return state.lastAppended
            }
            guard let covers else { return false }
            // The previous snapshot's thread has finished (it cleared `snapshotRunning`): join it, so no
            // finished thread is left unjoined.
            let previous = state.withLock { state in
                defer { state.snapshotThread = nil }
                return state.snapshotThread
            }
            previous?.join()
            do {
                let thread = try WorkerThread(name: "postgres snapshot") { [self] in
                    writeSnapshot(covers: covers, encode: encode)
                }
                state.withLock { $0.snapshotThread = thread }
                return true
            } catch {
                options.onWarning("Could not start the snapshot thread: \(error)")
                state.withLock { $0.snapshotRunning = false }
                return false
            }
        }

        package func writeInitialSnapshot(_ bytes: [UInt8]) throws(StoreError) {
            let (empty, following) = state.withLock { ($0.lastAppended == 0 && $0.snapshots.isEmpty, $0.following) }
            if following { throw Self.readOnlyError }
            guard empty else { throw StoreError(code: .io, message: "The database already holds taskwire data") }
            try writeSnapshotNow(bytes, covers: 0)
        }

        package func writeRecoverySnapshot(_ bytes: [UInt8]) throws(StoreError) {
            let (newest, following) = state.withLock { ($0.snapshots.first ?? 0, $0.following) }
            guard !following, recoveredLastRecord > newest else { return }
            try writeSnapshotNow(bytes, covers: recoveredLastRecord)
            state.withLock { state in
                state.recordsSinceSnapshot = Int(state.lastAppended - recoveredLastRecord)
                state.bytesSinceSnapshot = 0
            }
        }

        package func close() {
            let threads = state.withLock { state in
                state.closing = true
                defer {
                    state.writerThread = nil
                    state.snapshotThread = nil
                }
                return (state.writerThread, state.snapshotThread)
            }
            wakeup.signal()
            followerWake.signal()
            threads.0?.join()
            threads.1?.join()
            let waiters = state.withLock { state in
                state.stopped = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.complete(.failure(Self.closedError)) }
            requests.close()
            writer.close()
            blobs.withLock { $0?.close() }
        }

        // MARK: Blobs

        package func putBlob(key: String, bytes: [UInt8]) throws(StoreError) {
            try BlobKey.validate(key)
            if isFollowing { throw Self.readOnlyError }
            try withBlobConnection("storing a blob") { connection throws(PostgresError) in
                try connection.execute(
                    "INSERT INTO taskwire_blobs (key, bytes) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                    [.text(key), .bytes(bytes)])
                return ()
            }
        }

        package func blob(key: String) throws(StoreError) -> [UInt8]? {
            try BlobKey.validate(key)
            return try withBlobConnection("reading a blob") { connection throws(PostgresError) in
                let rows = try connection.execute("SELECT bytes FROM taskwire_blobs WHERE key = $1", [.text(key)])
                return rows.count == 0 ? nil : rows.bytes(0, 0)
            }
        }

        package func deleteBlob(key: String) throws(StoreError) {
            try BlobKey.validate(key)
            // A read node's memory may be behind the writer's: what looks unreferenced here may be in use.
            if isFollowing { throw Self.readOnlyError }
            try withBlobConnection("deleting a blob") { connection throws(PostgresError) in
                try connection.execute("DELETE FROM taskwire_blobs WHERE key = $1", [.text(key)])
                return ()
            }
        }

        package func blobKeys() throws(StoreError) -> [String] {
            try withBlobConnection("listing blobs") { connection throws(PostgresError) in
                let rows = try connection.execute("SELECT key FROM taskwire_blobs ORDER BY key")
                return (0..<rows.count).compactMap { rows.text($0, 0) }
            }
        }

        /// Runs `body` on the blob connection, connecting first if needed and once more if the connection was
        /// lost (a blob call is idempotent, so running it again is safe).
        private func withBlobConnection<T: Sendable>(
            _ action: String, _ body: (PostgresConnection) throws(PostgresError) -> T
        ) throws(StoreError) -> T {
            let result: Result<T, PostgresError> = blobs.withLock { slot in
                var outcome: Result<T, PostgresError> = .failure(PostgresError(kind: .connection, message: "not tried"))
                for attempt in 0..<2 {
                    do throws(PostgresError) {
                        if slot == nil || attempt > 0 { slot = try PostgresConnection(conninfo: conninfo) }
                        guard let connection = slot else { continue }
                        return .success(try body(connection))
                    } catch {
                        outcome = .failure(error)
                        if error.kind != .connection { break }
                    }
                }
                return outcome
            }
            switch result {
            case .success(let value): return value
            case .failure(let error): throw error.storeError(.io, doing: action)
            }
        }

        // MARK: Following

        package var isFollowing: Bool { state.withLock { $0.following } }

        package func follow(
            apply: @escaping @Sendable ([[UInt8]]) -> Bool,
            reload: @escaping @Sendable (_ snapshot: [UInt8], _ records: [[UInt8]]) -> Bool,
            promoted: @escaping @Sendable () -> Void
        ) {
            let start = state.withLock { $0.following && $0.writerThread == nil && !$0.closing }
            guard start else { return }
            do {
                let thread = try WorkerThread(name: "postgres follower") { [self] in
                    runFollower(apply: apply, reload: reload, promoted: promoted)
                }
                state.withLock { $0.writerThread = thread }
            } catch {
                fail(error)
            }
        }

        package func forward(_ request: [UInt8]) async throws(ForwardingFailure) -> [UInt8] {
            let (reply, position) = try await requests.forward(request).get()
            // Answer once this node shows the write: wait until it applied what the writer had committed. Should
            // it stop following first, the write was still applied, and the reply says so.
            let _: Result<Void, StoreError> = await withCheckedContinuation { continuation in
                register(DurabilityWaiter(record: position, continuation: continuation))
            }
            return reply
        }

        package func serveForwarded(
            _ handler: @escaping @Sendable (_ request: [UInt8], _ abandoned: Bool) async -> [UInt8]
        ) {
            let writes = state.withLock { state in
                state.forwardedHandler = handler
                return !state.following
            }
            if writes { requests.serve(handler) }
        }

        /// Journal rows a read node reads per query.
        private static let followPageRows = 1_000

        /// On the follower thread: applies the rows the writer commits, woken by its notifications and looking
        /// anyway every ``Options/followPoll``, and tries the serving lock each time; once it holds the lock
        /// (the writer is gone), it applies the last rows, becomes the writer and runs the writer's loop.
        /// A lost connection is retried for as long as it takes: reads go on from memory meanwhile.
        private func runFollower(
            apply: @Sendable ([[UInt8]]) -> Bool, reload: @Sendable ([UInt8], [[UInt8]]) -> Bool,
            promoted: @Sendable () -> Void
        ) {
            var applied = recoveredLastRecord
            var listening = false
            var warned = false
            var delay: Duration = .milliseconds(20)
            // After its own reconnection (a database restart ends every session) a read node leaves the lock
            // to the writer, reconnecting too, for `lockWait`: the writing stays where it was.
            var lockNotBefore = ContinuousClock.now
            while !state.withLock({ $0.closing }) {
                do {
                    if !writer.isHealthy {
                        try writer.reconnect()
                        listening = false
                        lockNotBefore = ContinuousClock.now + options.lockWait
                    }
                    if !listening {
                        try writer.execute("LISTEN \(PostgresSchema.journalChannel)")
                        listening = true
                    }
                    // The lock is tried once per `followPoll`, not at each of the writer's commits.
                    let now = ContinuousClock.now
                    let writes = try now >= lockNotBefore && Self.tryServingLock(writer)
                    if now >= lockNotBefore { lockNotBefore = now + options.followPoll }
                    do {
                        applied = try catchUp(after: applied, apply)
                    } catch is FollowerGap {
                        applied = try catchUpFromSnapshot(after: applied, reload)
                        applied = try catchUp(after: applied, apply)
                    }
                    if warned {
                        options.onWarning("PostgreSQL: following the writer again")
                        warned = false
                    }
                    delay = .milliseconds(20)
                    if writes {
                        try promote(at: applied)
                        options.onInfo("took over writing", ["last_record": String(applied)])
                        promoted()
                        if let handler = state.withLock({ $0.forwardedHandler }) { requests.serve(handler) }
                        runWriter()
                        return
                    }
                    _ = try writer.awaitNotification(
                        interrupt: followerWake.readEnd, timeoutMilliseconds: options.followPoll.wholeMilliseconds)
                    followerWake.drain()
                } catch let error as StoreError {
                    fail(error)
                    return
                } catch {
                    if !warned {
                        options.onWarning("PostgreSQL: following the writer failed, retrying: \(error)")
                        warned = true
                    }
                    followerWake.pause(milliseconds: delay.wholeMilliseconds)
                    delay = min(delay * 2, .seconds(1))
                }
            }
        }

        /// Reads and applies every row after `applied`; returns the last one applied.
        ///
        /// - Throws: ``StoreError`` when the rows cannot be followed (one is missing or fails its checksum, or
        ///   the engine cannot apply it); ``PostgresError`` when the database cannot be read now.
        private func catchUp(after applied: UInt64, _ apply: @Sendable ([[UInt8]]) -> Bool) throws -> UInt64 {
            var last = applied
            while true {
                let rows = try writer.execute(
                    prepared: "taskwire_journal_follow",
                    "SELECT pos, crc, record FROM taskwire_journal WHERE pos > $1 ORDER BY pos LIMIT \(Self.followPageRows)",
                    [.integer(Int64(last))])
                if rows.isEmpty { return last }
                var records: [[UInt8]] = []
                records.reserveCapacity(rows.count)
                for row in 0..<rows.count {
                    let position = UInt64(rows.integer(row, 0) ?? 0)
                    guard position == last + 1 else { throw FollowerGap() }
                    let record = rows.bytes(row, 2)
                    guard CRC32C.checksum(record) == UInt32(truncatingIfNeeded: rows.integer(row, 1) ?? 0) else {
                        throw StoreError(
                            code: .damaged,
                            message: "Journal row \(position) fails its checksum; restore the database from a backup")
                    }
                    records.append(record)
                    last = position
                }
                guard apply(records) else {
                    throw StoreError(
                        code: .damaged,
                        message: "Journal rows \(last - UInt64(records.count) + 1) to \(last) cannot be applied; "
                            + "restart this server to recover from the database")
                }
                state.withLock { $0.lastAppended = last }
                // A read node's "committed" is "applied here": forwarded writes wait for it (read your writes).
                publish(acknowledged: last)
                if rows.count < Self.followPageRows { return last }
            }
        }

        /// The rows after the last one applied are gone from the journal.
        private struct FollowerGap: Error {}

        /// After a ``FollowerGap``: reads the newest snapshot and the rows after it, in one consistent view, and
        /// hands them to `reload`; returns the last record they cover.
        private func catchUpFromSnapshot(
            after applied: UInt64, _ reload: @Sendable ([UInt8], [[UInt8]]) -> Bool
        ) throws -> UInt64 {
            let recovery: PostgresRecovery
            try writer.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            do {
                recovery = try PostgresRecovery.read(writer)
                try writer.execute("COMMIT")
            } catch {
                if writer.isHealthy { _ = try? writer.execute("ROLLBACK") }
                throw error
            }
            let covers = recovery.lastRecord - UInt64(recovery.records.count)
            guard let snapshot = recovery.snapshot, covers > applied else {
                throw StoreError(
                    code: .damaged,
                    message: "Journal rows after \(applied) are missing from taskwire_journal and no snapshot covers "
                        + "them; restore the database from a backup")
            }
            guard reload(snapshot, recovery.records) else {
                throw StoreError(
                    code: .damaged,
                    message: "The snapshot covering record \(covers) cannot be applied; restart this server to recover "
                        + "from the database")
            }
            state.withLock { $0.lastAppended = recovery.lastRecord }
            publish(acknowledged: recovery.lastRecord)
            options.onWarning(
                "PostgreSQL: this read node fell behind the writer's snapshots (rows \(applied + 1) to \(covers) are "
                    + "gone from the journal); it caught up from the snapshot covering record \(covers)")
            return recovery.lastRecord
        }

        /// Turns this read node, now holding the serving lock with every row applied, into the writer: appends
        /// continue the numbering after `last`, and snapshots follow the writer's policy from the ones it left.
        private func promote(at last: UInt64) throws(PostgresError) {
            try writer.execute("UNLISTEN *")
            let listed = try writer.execute("SELECT covers FROM taskwire_snapshots ORDER BY covers DESC LIMIT 2")
            let snapshots = (0..<listed.count).map { UInt64(listed.integer($0, 0) ?? 0) }
            let since = try writer.execute(
                "SELECT count(*)::bigint, coalesce(sum(length(record)), 0)::bigint FROM taskwire_journal WHERE pos > $1",
                [.integer(Int64(snapshots.first ?? 0))])
            state.withLock { state in
                state.following = false
                state.lastAppended = last
                state.acknowledged = last
                state.snapshots = snapshots
                state.recordsSinceSnapshot = Int(since.integer(0, 0) ?? 0)
                state.bytesSinceSnapshot = Int(since.integer(0, 1) ?? 0)
            }
        }

        // MARK: Tickets

        private static let closedError = StoreError(code: .closed, message: "The store is closed.")

        private static let readOnlyError = StoreError(
            code: .readOnly,
            message: "This taskwire is a read node: another taskwire writes this PostgreSQL database (it holds "
                + "the serving lock), and this one writes only once it takes over")

        private func ticket(for record: UInt64) -> CommitTicket {
            CommitTicket(
                wait: { [self] () async throws(StoreError) in
                    let result: Result<Void, StoreError> = await withCheckedContinuation { continuation in
                        register(DurabilityWaiter(record: record, continuation: continuation))
                    }
                    try result.get()
                },
                notify: { [self] callback in register(DurabilityWaiter(record: record, callback: callback)) }
            )
        }

        /// Completes `waiter` at once when its outcome is known, else when the writer commits its record.
        private func register(_ waiter: DurabilityWaiter) {
            let immediate: Result<Void, StoreError>? = state.withLock { state in
                if state.acknowledged >= waiter.record { return .success(()) }
                if let failure = state.failure { return .failure(failure) }
                if state.stopped { return .failure(Self.closedError) }
                state.waiters.append(waiter)
                return nil
            }
            if let immediate { waiter.complete(immediate) }
        }

        // MARK: The writer thread

        private func runWriter() {
            while true {
                let batch: [Pending]? = state.withLock { state in
                    if state.failure != nil { return nil }
                    if state.pending.isEmpty { return state.closing ? nil : [] }
                    var bytes = 0
                    var count = 0
                    for item in state.pending {
                        if count > 0 && bytes + item.record.count > options.batchBytes { break }
                        bytes += item.record.count
                        count += 1
                    }
                    defer { state.pending.removeFirst(count) }
                    return Array(state.pending.prefix(count))
                }
                guard let batch else { return }
                if batch.isEmpty {
                    wakeup.wait(timeoutNanoseconds: nil)
                    continue
                }
                do throws(StoreError) {
                    try commitWithRetry(batch)
                } catch {
                    fail(error)
                    return
                }
                publish(acknowledged: batch[batch.count - 1].position)
            }
        }

        /// Commits `batch` in one transaction, reconnecting and retrying while the failure is transient and the
        /// retry window lasts. After a lost connection the batch is looked up first: its commit may have
        /// succeeded with only the answer lost.
        private func commitWithRetry(_ batch: [Pending]) throws(StoreError) {
            let deadline = ContinuousClock.now + options.retryWindow
            var delay: Duration = .milliseconds(20)
            var warned = false
            var mayBeCommitted = false
            while true {
                do throws(PostgresError) {
                    if mayBeCommitted, try isCommitted(batch) { break }
                    try insert(batch)
                    break
                } catch {
                    guard error.isTransient, ContinuousClock.now < deadline else {
                        throw error.storeError(.failed, doing: "committing the journal")
                    }
                    if !warned {
                        options.onWarning("PostgreSQL: committing the journal failed, retrying: \(error)")
                        warned = true
                    }
                    mayBeCommitted = mayBeCommitted || error.kind == .connection
                    sleep(for: delay)
                    delay = min(delay * 2, .seconds(1))
                    if !writer.isHealthy {
                        do throws(PostgresError) {
                            try writer.reconnect()
                            try retakeServingLock()
                        } catch  where error.isTransient {
                            continue
                        } catch {
                            throw error.storeError(.failed, doing: "reconnecting")
                        }
                    }
                }
            }
            if warned { options.onWarning("PostgreSQL: the journal commits again") }
        }

        /// After a reconnection the serving lock must be taken again; if another process took it meanwhile, this
        /// one must stop writing.
        private func retakeServingLock() throws(PostgresError) {
            let taken = try writer.execute("SELECT pg_try_advisory_lock($1)", [.integer(PostgresSchema.servingLock)])
            guard taken.bytes(0, 0) == [1] else {
                throw PostgresError(
                    kind: .statement, message: "another taskwire took the serving lock while the connection was lost")
            }
        }

        private func isCommitted(_ batch: [Pending]) throws(PostgresError) -> Bool {
            let rows = try writer.execute(
                "SELECT count(*)::bigint FROM taskwire_journal WHERE pos BETWEEN $1 AND $2",
                [.integer(Int64(batch[0].position)), .integer(Int64(batch[batch.count - 1].position))])
            return rows.integer(0, 0) == Int64(batch.count)
        }

        /// The rows of one INSERT statement; a larger batch takes several statements in one transaction.
        private static let rowsPerStatement = 256

        private func insert(_ batch: [Pending]) throws(PostgresError) {
            let statements = stride(from: 0, to: batch.count, by: Self.rowsPerStatement).map {
                batch[$0..<min($0 + Self.rowsPerStatement, batch.count)]
            }
            func run(_ rows: ArraySlice<Pending>) throws(PostgresError) {
                var sql = "INSERT INTO taskwire_journal (pos, crc, record) VALUES "
                var parameters: [PostgresValue] = []
                parameters.reserveCapacity(rows.count * 3)
                for (index, item) in rows.enumerated() {
                    if index > 0 { sql += ", " }
                    sql += "($\(index * 3 + 1), $\(index * 3 + 2), $\(index * 3 + 3))"
                    parameters.append(.integer(Int64(item.position)))
                    parameters.append(.integer(Int64(Int32(bitPattern: CRC32C.checksum(item.record)))))
                    parameters.append(.bytes(item.record))
                }
                try writer.execute(prepared: "taskwire_journal_insert_\(rows.count)", sql, parameters)
            }
            if statements.count == 1 {
                try run(statements[0])
            } else {
                try writer.transaction { () throws(PostgresError) in
                    for rows in statements { try run(rows) }
                }
            }
        }

        private func publish(acknowledged: UInt64) {
            let ready: [DurabilityWaiter] = state.withLock { state in
                state.acknowledged = max(state.acknowledged, acknowledged)
                let done = state.acknowledged
                guard state.waiters.contains(where: { $0.record <= done }) else { return [] }
                defer { state.waiters.removeAll { $0.record <= done } }
                return state.waiters.filter { $0.record <= done }
            }
            for waiter in ready { waiter.complete(.success(())) }
        }

        private func fail(_ error: StoreError) {
            let failure = StoreError(
                code: .failed,
                message: "Writing the journal to PostgreSQL failed, so the store stopped accepting writes; restart "
                    + "to recover from the database. \(error.message)",
                cause: error.cause)
            let waiters: [DurabilityWaiter]? = state.withLock { state in
                guard state.failure == nil else { return nil }
                state.failure = failure
                state.pending = []
                defer { state.waiters = [] }
                return state.waiters
            }
            guard let waiters else { return }
            // The server hears of the failure before any client does.
            options.onWarning(failure.description)
            options.onFailure?(failure)
            for waiter in waiters { waiter.complete(.failure(failure)) }
        }

        private func sleep(for duration: Duration) {
            let (seconds, attoseconds) = duration.components
            usleep(UInt32(clamping: seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
        }

        // MARK: Snapshots

        /// On the snapshot thread: encodes, waits until the records it covers committed, and writes it.
        private func writeSnapshot(covers: UInt64, encode: @Sendable () -> [UInt8]) {
            let start = ContinuousClock.now
            let bytes = encode()
            let encoded = ContinuousClock.now
            // The snapshot must not be listed before the journal rows it replaces are committed.
            let committed = Mutex<Result<Void, StoreError>?>(nil)
            let wake = Wakeup()
            register(
                DurabilityWaiter(record: covers) { result in
                    committed.withLock { $0 = result }
                    wake.signal()
                })
            while committed.withLock({ $0 }) == nil { wake.wait(timeoutNanoseconds: nil) }
            let ready = (try? committed.withLock({ $0 })?.get()) != nil
            defer { state.withLock { $0.snapshotRunning = false } }
            guard ready else { return }
            do {
                try writeSnapshotNow(bytes, covers: covers)
                options.onInfo(
                    "snapshot written",
                    [
                        "last_record": String(covers), "bytes": String(bytes.count),
                        "encode_ms": String((encoded - start).wholeMilliseconds),
                        "write_ms": String((ContinuousClock.now - encoded).wholeMilliseconds),
                    ])
            } catch {
                // Not fatal: the journal still holds everything, and a later change asks again.
                options.onWarning("Writing a snapshot to PostgreSQL failed: \(error)")
                state.withLock { $0.recordsSinceSnapshot = options.snapshotRecordThreshold }
            }
        }

        /// The largest part of a snapshot in one row (a bytea holds at most 1 GB).
        static let snapshotPartBytes = 16 << 20

        /// Writes a snapshot covering records up to `covers` in one transaction on a connection of its own, then
        /// deletes what it makes redundant: snapshots older than the previous one, and the journal rows the
        /// previous one covers (the previous snapshot stays as a fallback, with the rows after it).
        private func writeSnapshotNow(_ bytes: [UInt8], covers: UInt64) throws(StoreError) {
            let previous = state.withLock { $0.snapshots.first }
            do {
                let connection = try PostgresConnection(conninfo: conninfo)
                defer { connection.close() }
                let parts = max(1, (bytes.count + Self.snapshotPartBytes - 1) / Self.snapshotPartBytes)
                try connection.transaction { () throws(PostgresError) in
                    // A snapshot that failed its check at recovery may sit at or past this one; it goes first.
                    try connection.execute(
                        "DELETE FROM taskwire_snapshots WHERE covers >= $1", [.integer(Int64(covers))])
                    try connection.execute(
                        "INSERT INTO taskwire_snapshots (covers, crc, length, parts) VALUES ($1, $2, $3, $4)",
                        [
                            .integer(Int64(covers)), .integer(Int64(Int32(bitPattern: CRC32C.checksum(bytes)))),
                            .integer(Int64(bytes.count)), .integer(Int64(parts)),
                        ])
                    for part in 0..<parts {
                        let slice = bytes[
                            (part * Self.snapshotPartBytes)..<min(bytes.count, (part + 1) * Self.snapshotPartBytes)]
                        try connection.execute(
                            "INSERT INTO taskwire_snapshot_parts (covers, part, bytes) VALUES ($1, $2, $3)",
                            [.integer(Int64(covers)), .integer(Int64(part)), .bytes(Array(slice))])
                    }
                    if let previous {
                        try connection.execute(
                            "DELETE FROM taskwire_snapshots WHERE covers < $1", [.integer(Int64(previous))])
                        try connection.execute(
                            "DELETE FROM taskwire_journal WHERE pos <= $1", [.integer(Int64(previous))])
                    }
                }
            } catch {
                throw error.storeError(.io, doing: "writing a snapshot")
            }
            state.withLock { state in
                state.snapshots = [covers] + (previous.map { [$0] } ?? [])
            }
        }

    }
#endif
