#if Postgres
    import Foundation
    import Locking
    import PostgresStore
    import TaskEngine
    import TaskStore
    import TestSupport
    import Testing

    /// The PostgreSQL store against a real PostgreSQL server (`scripts/postgres-scratch`, started by
    /// `scripts/test`), each test in a database of its own.
    @Suite(.enabled(if: PostgresScratch.host != nil, "needs the test PostgreSQL server (scripts/test starts one)"))
    struct PostgresStoreTests {
        // MARK: Schema

        @Test func migrateFromTwoProcessesAtOnceIsSafeAndIdempotent() async throws {
            let conninfo = try await PostgresScratch.createDatabase()
            async let first = Task.detached { try PostgresBackend.migrate(conninfo: conninfo) }.value
            async let second = Task.detached { try PostgresBackend.migrate(conninfo: conninfo) }.value
            let results = try await [first, second]
            // Exactly one of the two did the work; the other waited for the lock and found nothing to do.
            #expect(results.map(\.from).sorted() == [0, 3])
            #expect(results.allSatisfy { $0.to == 3 })
            let again = try PostgresBackend.migrate(conninfo: conninfo)
            #expect(again.from == 3 && again.to == 3)
            let versions = try await PostgresScratch.psql(
                database: PostgresScratch.databaseName(conninfo), "SELECT version FROM taskwire_schema_versions")
            #expect(versions == "1\n2\n3\n")
        }

        /// Versions 1 and 2 are what earlier releases left: version 1 before several servers shared a database,
        /// version 2 before the rate limits were shared.
        @Test(arguments: [1, 2])
        func anEarlierSchemaWithDataIsRefusedUntilMigratedThenServedWhole(version: Int) async throws {
            // A database as that release left it: its tables, and journal rows in the same record format
            // (docs/storage.md) that every release writes.
            let conninfo = try await PostgresScratch.createDatabase()
            let database = PostgresScratch.databaseName(conninfo)
            #expect(try PostgresBackend.migrate(conninfo: conninfo, upTo: version) == (0, version))
            let source = MemoryStore()
            let before = try Engine.open(store: source)
            for title in ["Call the customer", "Write the report", "Refund order 7"] {
                _ = try await before.create(NewTask(title: title), by: .system)
            }
            for (index, record) in source.records.enumerated() {
                let hex = record.map { String(format: "%02x", $0) }.joined()
                try await PostgresScratch.psql(
                    database: database,
                    "INSERT INTO taskwire_journal (pos, crc, record) VALUES (\(index + 1), "
                        + "\(Int32(bitPattern: CRC32C.checksum(record))), '\\x\(hex)')")
            }
            let refused = refusalToOpen(conninfo)
            #expect(
                refused?.description.contains("schema version \(version)") == true, "\(String(describing: refused))")
            #expect(refused?.description.contains("taskwire migrate --postgres") == true)

            #expect(try PostgresBackend.migrate(conninfo: conninfo) == (version, 3))
            let store = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            defer { store.close() }
            let after = try Engine.open(store: store)
            #expect(await after.exportDocument() == (await before.exportDocument()))
            // What version 2 adds works on it: a read node is woken by the new rows (no poll for ten minutes).
            var options = readNode()
            options.followPoll = .seconds(600)
            let reader = try #require(
                try PostgresBackend.open(conninfo: conninfo, options: options) as? any FollowingStore)
            defer { reader.close() }
            let arrived = Occurrences()
            reader.follow(
                apply: { records in
                    arrived.occurred(records.count)
                    return true
                }, reload: { _, _ in false }, promoted: {})
            try await after.create(NewTask(title: "After the upgrade"), by: .system).ticket.wait()
            try await arrived.waitFor(1)
            // And what version 3 adds: a server reports its rate-limited calls.
            let (reports, report) = AsyncStream.makeStream(of: Void.self)
            let exchange = try PostgresRateExchange(
                conninfo: conninfo, period: .milliseconds(50),
                local: { [SharedCallCount(user: "ann", operation: "list", calls: 1, oldest: 1)] },
                received: { _ in report.yield() }, onWarning: { Issue.record("warning: \($0)") })
            defer { exchange.close() }
            // The second exchange begins after the first committed its report.
            var exchanges = 0
            for await _ in reports {
                exchanges += 1
                if exchanges == 2 { break }
            }
            let calls = try await PostgresScratch.psql(
                database: database, "SELECT user_id, calls FROM taskwire_rate_calls")
            #expect(calls == "ann|1\n")
        }

        @Test func anUnmigratedDatabaseIsRefusedWithWhatToRun() async throws {
            let conninfo = try await PostgresScratch.createDatabase()
            let error = refusalToOpen(conninfo)
            #expect(error?.description.contains("taskwire migrate --postgres") == true)
        }

        @Test func aSchemaNewerThanThisBuildIsRefused() async throws {
            let conninfo = try await migratedDatabase()
            try await PostgresScratch.psql(
                database: PostgresScratch.databaseName(conninfo), "INSERT INTO taskwire_schema_versions VALUES (99)")
            let error = refusalToOpen(conninfo)
            #expect(error?.code == .damaged)
            #expect(error?.description.contains("newer") == true)
            #expect(throws: StoreError.self) { try PostgresBackend.migrate(conninfo: conninfo) }
        }

        @Test func anUnreachableDatabaseIsAClearError() {
            let error = #expect(throws: StoreError.self) {
                try PostgresBackend.open(conninfo: "host=/nonexistent-socket-dir dbname=x", options: quiet())
            }
            #expect(error?.code == .io)
            #expect(error?.description.contains("PostgreSQL: connecting failed") == true)
        }

        // MARK: Journal

        @Test func answeredRecordsSurviveReopeningInOrder() async throws {
            let conninfo = try await migratedDatabase()
            let store = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            #expect(try store.recover().records.isEmpty)
            // Appended without waiting, so the writer commits many per transaction, then all waited for.
            let tickets = try (1...1_500).map { try store.append(record($0)) }
            for ticket in tickets { try await ticket.wait() }
            store.close()

            let reopened = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            defer { reopened.close() }
            #expect(try reopened.recover().records == (1...1_500).map(record))
            try await reopened.append(record(1_501)).wait()
            reopened.close()
            let third = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            defer { third.close() }
            #expect(try third.recover().records.count == 1_501)
        }

        @Test func appendsAfterCloseAreRefused() async throws {
            let store = try PostgresBackend.open(conninfo: try await migratedDatabase(), options: quiet())
            store.close()
            let error = #expect(throws: StoreError.self) { try store.append(record(1)) }
            #expect(error?.code == .closed)
        }

        @Test func aSnapshotReplacesTheJournalAndKeepsOneFallback() async throws {
            let conninfo = try await migratedDatabase()
            let database = PostgresScratch.databaseName(conninfo)
            let snapshots = Occurrences()
            let store = try PostgresBackend.open(conninfo: conninfo, options: quiet(snapshots))
            for number in 1...10 { _ = try store.append(record(number)) }
            #expect(store.snapshot { Array("first".utf8) })
            try await snapshots.waitFor(1)
            for number in 11...15 { _ = try store.append(record(number)) }
            #expect(store.snapshot { Array("second".utf8) })
            try await snapshots.waitFor(2)
            for number in 16...18 { try await store.append(record(number)).wait() }
            store.close()

            // The rows the fallback snapshot covers are gone; the rows after it stay for the fallback.
            #expect(
                try await PostgresScratch.psql(database: database, "SELECT min(pos), max(pos) FROM taskwire_journal")
                    == "11|18\n")
            #expect(
                try await PostgresScratch.psql(database: database, "SELECT covers FROM taskwire_snapshots ORDER BY 1")
                    == "10\n15\n")
            let reopened = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            let recovered = try reopened.recover()
            reopened.close()
            #expect(recovered.snapshot == Array("second".utf8))
            #expect(recovered.records == (16...18).map(record))

            // A damaged newest snapshot: recovery falls back to the older one and the journal after it.
            try await PostgresScratch.psql(
                database: database, "UPDATE taskwire_snapshot_parts SET bytes = 'broken' WHERE covers = 15")
            let fallback = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            defer { fallback.close() }
            let fromFallback = try fallback.recover()
            #expect(fromFallback.snapshot == Array("first".utf8))
            #expect(fromFallback.records == (11...18).map(record))
            #expect(fromFallback.warnings.contains { $0.contains("snapshot covering record 15 fails its check") })
        }

        @Test func aSnapshotLargerThanOnePartIsStoredInPartsAndReadBackWhole() async throws {
            let conninfo = try await migratedDatabase()
            let snapshots = Occurrences()
            let store = try PostgresBackend.open(conninfo: conninfo, options: quiet(snapshots))
            try await store.append(record(1)).wait()
            // 40 MiB: three parts of at most 16 MiB; each MiB marked, so parts out of order would show.
            var large = [UInt8](repeating: 0x5a, count: 40 << 20)
            for mebibyte in 0..<40 { large[mebibyte << 20] = UInt8(mebibyte) }
            let payload = large
            #expect(store.snapshot { payload })
            try await snapshots.waitFor(1)
            store.close()
            #expect(
                try await PostgresScratch.psql(
                    database: PostgresScratch.databaseName(conninfo), "SELECT parts FROM taskwire_snapshots") == "3\n")
            let reopened = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            defer { reopened.close() }
            let recovered = try reopened.recover()
            #expect(recovered.snapshot == large)
            #expect(recovered.records.isEmpty)
        }

        @Test func aMissingJournalRowStopsRecoveryNamingTheRows() async throws {
            let conninfo = try await migratedDatabase()
            let store = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            for number in 1...20 { _ = try store.append(record(number)) }
            try await store.barrier().wait()
            store.close()
            try await PostgresScratch.psql(
                database: PostgresScratch.databaseName(conninfo), "DELETE FROM taskwire_journal WHERE pos IN (7, 8)")
            let error = refusalToOpen(conninfo)
            #expect(error?.code == .damaged)
            #expect(error?.description.contains("Journal rows 7 to 8 are missing") == true)
        }

        @Test func aJournalRowThatFailsItsChecksumStopsRecovery() async throws {
            let conninfo = try await migratedDatabase()
            let store = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            try await store.append(record(1)).wait()
            store.close()
            try await PostgresScratch.psql(
                database: PostgresScratch.databaseName(conninfo), "UPDATE taskwire_journal SET record = 'tampered'")
            let error = refusalToOpen(conninfo)
            #expect(error?.code == .damaged)
            #expect(error?.description.contains("Journal row 1 fails its checksum") == true)
        }

        // MARK: Serving lock

        @Test func aSecondStoreOnTheSameDatabaseIsRefusedUntilTheFirstCloses() async throws {
            let conninfo = try await migratedDatabase()
            let first = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            var impatient = quiet()
            impatient.lockWait = .milliseconds(200)
            let error = #expect(throws: StoreError.self) {
                try PostgresBackend.open(conninfo: conninfo, options: impatient)
            }
            #expect(error?.code == .locked)
            first.close()
            let second = try PostgresBackend.open(conninfo: conninfo, options: impatient)
            second.close()
        }

        // MARK: Read nodes

        @Test func aStoreOpenedBesideAWriterFollowsItsRowsAsTheyCommit() async throws {
            let conninfo = try await migratedDatabase()
            let database = PostgresScratch.databaseName(conninfo)
            let writer = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            defer { writer.close() }
            for number in 1...50 { try await writer.append(record(number)).wait() }
            var options = readNode()
            // With no notification, the next look would come in ten minutes: each commit must wake the node.
            options.followPoll = .seconds(600)
            let opened = try PostgresBackend.open(conninfo: conninfo, options: options)
            defer { opened.close() }
            let reader = try #require(opened as? any FollowingStore)
            #expect(reader.isFollowing)
            #expect(try reader.recover().records == (1...50).map(record))
            let write = #expect(throws: StoreError.self) { try reader.append(record(51)) }
            #expect(write?.code == .readOnly)
            #expect(write?.description.contains("is a read node") == true)
            let blob = #expect(throws: StoreError.self) { try reader.putBlob(key: "abc123", bytes: [1]) }
            #expect(blob?.code == .readOnly)

            let applied = Mutex<[[UInt8]]>([])
            let arrived = Occurrences()
            let promoted = Occurrences()
            reader.follow(
                apply: { records in
                    applied.withLock { $0 += records }
                    arrived.occurred(records.count)
                    return true
                },
                reload: { _, _ in false }, promoted: { promoted.occurred() })
            // More than a page of rows, then more after the database ended the read node's session.
            for number in 51...1_300 { _ = try writer.append(record(number)) }
            try await writer.barrier().wait()
            try await arrived.waitFor(1_250)
            try await PostgresScratch.psql(
                database: "postgres",
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '\(database)'")
            for number in 1_301...1_310 { try await writer.append(record(number)).wait() }
            try await arrived.waitFor(1_260)
            #expect(applied.withLock { $0 } == (51...1_310).map(record))
            // The writer reconnected too, and kept the lock: a read node leaves it alone for a while after its
            // own reconnection, so a database restart does not move the writing to another node.
            #expect(reader.isFollowing && promoted.count == 0)
        }

        @Test func anEngineStartingOnAReadNodeLeavesTheBlobsItDoesNotKnowAlone() async throws {
            let conninfo = try await migratedDatabase()
            let writer = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            defer { writer.close() }
            // Bytes the writer stored for an upload whose attachment this node has not applied yet.
            let key = String(repeating: "cd", count: 32)
            try writer.putBlob(key: key, bytes: [1, 2, 3])
            let reader = try PostgresBackend.open(conninfo: conninfo, options: readNode())
            defer { reader.close() }
            _ = try Engine.open(store: reader)
            #expect(try writer.blobKeys() == [key])
        }

        @Test func aReadNodeTakesOverWritingWhenTheWriterStopsAndContinuesItsNumbering() async throws {
            let conninfo = try await migratedDatabase()
            let writer = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            for number in 1...20 { try await writer.append(record(number)).wait() }
            var options = readNode()
            options.followPoll = .milliseconds(20)
            let opened = try PostgresBackend.open(conninfo: conninfo, options: options)
            let reader = try #require(opened as? any FollowingStore)
            #expect(try reader.recover().records.count == 20)
            let applied = Mutex<[[UInt8]]>([])
            let appliedBeforePromotion = Mutex(0)
            let promoted = Occurrences()
            reader.follow(
                apply: { records in
                    applied.withLock { $0 += records }
                    return true
                },
                reload: { _, _ in false },
                promoted: {
                    appliedBeforePromotion.withLock { $0 = applied.withLock { $0.count } }
                    promoted.occurred()
                })
            for number in 21...30 { _ = try writer.append(record(number)) }
            writer.close()
            try await promoted.waitFor(1)
            #expect(applied.withLock { $0 } == (21...30).map(record))
            // Every row the writer committed was applied before the new writer could write.
            #expect(appliedBeforePromotion.withLock { $0 } == 10)
            #expect(!reader.isFollowing)
            try await reader.append(record(31)).wait()
            opened.close()

            let reopened = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            defer { reopened.close() }
            #expect(try reopened.recover().records == (1...31).map(record))
        }

        @Test func aReadNodeThatFellBehindTheWritersSnapshotsCatchesUpFromTheNewest() async throws {
            let conninfo = try await migratedDatabase()
            let snapshots = Occurrences()
            let writer = try PostgresBackend.open(conninfo: conninfo, options: quiet(snapshots))
            defer { writer.close() }
            for number in 1...5 { try await writer.append(record(number)).wait() }
            var options = readNode()
            let warnings = Mutex<[String]>([])
            options.onWarning = { warning in warnings.withLock { $0.append(warning) } }
            let failed = Occurrences()
            options.onFailure = { _ in failed.occurred() }
            let opened = try PostgresBackend.open(conninfo: conninfo, options: options)
            defer { opened.close() }
            let reader = try #require(opened as? any FollowingStore)
            // Two snapshots while the node is not reading: the second deletes the rows the first covers.
            for number in 6...10 { _ = try writer.append(record(number)) }
            #expect(writer.snapshot { Array("first".utf8) })
            try await snapshots.waitFor(1)
            for number in 11...15 { _ = try writer.append(record(number)) }
            #expect(writer.snapshot { Array("second".utf8) })
            try await snapshots.waitFor(2)
            let applied = Mutex<[[UInt8]]>([])
            let arrived = Occurrences()
            let reloaded = Mutex<[([UInt8], [[UInt8]])]>([])
            let caughtUp = Occurrences()
            reader.follow(
                apply: { records in
                    applied.withLock { $0 += records }
                    arrived.occurred(records.count)
                    return true
                },
                reload: { snapshot, records in
                    reloaded.withLock { $0.append((snapshot, records)) }
                    caughtUp.occurred()
                    return true
                }, promoted: {})
            try await caughtUp.waitFor(1)
            // The newest snapshot, never rows across the gap; then the rows after it, as they commit.
            #expect(reloaded.withLock { $0.map(\.0) } == [Array("second".utf8)])
            #expect(reloaded.withLock { $0.first?.1 } == [])
            for number in 16...17 { _ = try writer.append(record(number)) }
            try await arrived.waitFor(2)
            #expect(applied.withLock { $0 } == [record(16), record(17)])
            #expect(failed.count == 0 && reader.isFollowing)
            #expect(warnings.withLock { $0 }.contains { $0.contains("caught up from the snapshot covering record 15") })
        }

        @Test func aWriteAReadNodeForwardsIsRunByTheWriterAndAnsweredOnceTheNodeAppliedIt() async throws {
            let conninfo = try await migratedDatabase()
            let database = PostgresScratch.databaseName(conninfo)
            let writer = try #require(
                try PostgresBackend.open(conninfo: conninfo, options: quiet()) as? any ForwardingStore)
            defer { writer.close() }
            // The writer's stand-in for a method: journal the request, answer with it reversed once committed.
            writer.serveForwarded { request, abandoned in
                guard !abandoned, let ticket = try? writer.append(request) else { return [] }
                do { try await ticket.wait() } catch { return [] }
                return Array(request.reversed())
            }
            let reader = try #require(
                try PostgresBackend.open(conninfo: conninfo, options: readNode()) as? any ForwardingStore)
            defer { reader.close() }
            let applied = Mutex<[[UInt8]]>([])
            reader.follow(
                apply: { records in
                    applied.withLock { $0 += records }
                    return true
                }, reload: { _, _ in false }, promoted: {})
            let reply = try await reader.forward(Array("hello".utf8))
            #expect(reply == Array("olleh".utf8))
            // Read your writes: the node applied the record before the reply came back.
            #expect(applied.withLock { $0 }.contains(Array("hello".utf8)))
            let replies = try await withThrowingTaskGroup(of: ([UInt8], [UInt8]).self) { group in
                for number in 1...40 {
                    group.addTask { (record(number), try await reader.forward(record(number))) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.count == 40 && replies.allSatisfy { $0.1 == Array($0.0.reversed()) })
            #expect(Set(applied.withLock { $0 }) == Set([Array("hello".utf8)] + (1...40).map(record)))
            // Each read node deletes its rows once it has the reply.
            let left = try await PostgresScratch.psql(database: database, "SELECT count(*) FROM taskwire_requests")
            #expect(left == "0\n")
        }

        @Test func aForwardedWriteNoWriterTakesIsNotAppliedAndOneAWriterAbandonedIsInDoubt() async throws {
            let conninfo = try await migratedDatabase()
            let database = PostgresScratch.databaseName(conninfo)
            // A writer that takes no forwarded writes (it never calls serveForwarded).
            let writer = try #require(
                try PostgresBackend.open(conninfo: conninfo, options: quiet()) as? any ForwardingStore)
            defer { writer.close() }
            var options = readNode()
            options.forwardTimeout = .milliseconds(300)
            let reader = try #require(
                try PostgresBackend.open(conninfo: conninfo, options: options) as? any ForwardingStore)
            defer { reader.close() }
            reader.follow(apply: { _ in true }, reload: { _, _ in false }, promoted: {})
            let failure = await #expect(throws: ForwardingFailure.self) { try await reader.forward([1, 2, 3]) }
            #expect(failure?.inDoubt == false)
            #expect(failure?.message.contains("was not applied") == true)
            // Withdrawn: no writer can take it later.
            let left = try await PostgresScratch.psql(database: database, "SELECT count(*) FROM taskwire_requests")
            #expect(left == "0\n")

            // A row a previous writer took and never answered reaches the handler as abandoned.
            try await PostgresScratch.psql(
                database: database, "INSERT INTO taskwire_requests (request, claimed_at) VALUES ('\\x01', now())")
            let seen = Mutex<[Bool]>([])
            let handled = Occurrences()
            writer.serveForwarded { _, abandoned in
                seen.withLock { $0.append(abandoned) }
                handled.occurred()
                return Array("in doubt".utf8)
            }
            try await handled.waitFor(1)
            #expect(seen.withLock { $0 } == [true])
        }

        // MARK: Faults

        @Test func aConnectionDroppedByTheServerIsReconnectedWithoutLossOrDuplicate() async throws {
            let conninfo = try await migratedDatabase()
            let database = PostgresScratch.databaseName(conninfo)
            let warnings = Mutex<[String]>([])
            var options = quiet()
            options.onWarning = { warning in warnings.withLock { $0.append(warning) } }
            let store = try PostgresBackend.open(conninfo: conninfo, options: options)
            for number in 1...100 { try await store.append(record(number)).wait() }
            // The database ends every session of this database: the writer's among them, holding the lock.
            try await PostgresScratch.psql(
                database: "postgres",
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '\(database)'")
            for number in 101...200 { try await store.append(record(number)).wait() }
            store.close()
            #expect(warnings.withLock { $0 }.contains { $0.contains("retrying") })
            let reopened = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            defer { reopened.close() }
            #expect(try reopened.recover().records == (1...200).map(record))
        }

        /// A full disk on the database's side (SQLSTATE 53100) and a serialization failure (40001) refuse
        /// the journal's transaction: the writes wait, nothing of the refused transaction is in the database,
        /// and once the database accepts again every record commits once, in order.
        @Test(arguments: ["53100", "40001"])
        func aRefusingDatabaseMakesWritesWaitThenCommitsEachOnce(sqlState: String) async throws {
            let conninfo = try await migratedDatabase()
            let database = PostgresScratch.databaseName(conninfo)
            let (warnings, warned) = AsyncStream.makeStream(of: String.self)
            var options = quiet()
            options.onWarning = { warned.yield($0) }
            let store = try PostgresBackend.open(conninfo: conninfo, options: options)
            try await store.append(record(1)).wait()
            // Every insert into the journal fails with `sqlState` while the fault table holds it.
            try await PostgresScratch.psql(
                database: database,
                """
                CREATE TABLE test_fault (state text);
                INSERT INTO test_fault VALUES ('\(sqlState)');
                CREATE FUNCTION test_fault() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE code text;
                BEGIN
                    SELECT state INTO code FROM test_fault LIMIT 1;
                    IF code IS NOT NULL THEN RAISE EXCEPTION 'injected fault' USING ERRCODE = code; END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER test_fault BEFORE INSERT ON taskwire_journal
                    FOR EACH STATEMENT EXECUTE FUNCTION test_fault();
                """)
            let tickets = try (2...5).map { number in try store.append(record(number)) }
            var iterator = warnings.makeAsyncIterator()
            let first = try #require(await iterator.next())
            #expect(first.contains("committing the journal failed, retrying") && first.contains(sqlState))
            let rows = try await PostgresScratch.psql(database: database, "SELECT count(*) FROM taskwire_journal")
            #expect(rows == "1\n")
            try await PostgresScratch.psql(database: database, "DELETE FROM test_fault")
            for ticket in tickets { try await ticket.wait() }
            #expect(await iterator.next() == "PostgreSQL: the journal commits again")
            store.close()
            let reopened = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            defer { reopened.close() }
            #expect(try reopened.recover().records == (1...5).map(record))
        }

        @Test func aDatabaseGoneForLongerThanTheRetryWindowFailsTheStoreAndItsTickets() async throws {
            let conninfo = try await migratedDatabase()
            let database = PostgresScratch.databaseName(conninfo)
            let failures = Mutex<[StoreError]>([])
            var options = quiet()
            options.retryWindow = .milliseconds(500)
            options.onFailure = { error in failures.withLock { $0.append(error) } }
            let store = try PostgresBackend.open(conninfo: conninfo, options: options)
            try await store.append(record(1)).wait()
            try await PostgresScratch.psql(
                database: "postgres",
                "ALTER DATABASE \(database) ALLOW_CONNECTIONS false; "
                    + "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '\(database)'")
            let refused = await #expect(throws: StoreError.self) { try await store.append(record(2)).wait() }
            #expect(refused?.code == .failed)
            #expect(failures.withLock { $0.count } == 1)
            #expect(throws: StoreError.self) { try store.append(record(3)) }
            store.close()
            try await PostgresScratch.psql(database: "postgres", "ALTER DATABASE \(database) ALLOW_CONNECTIONS true")
            // Nothing half-applied: the refused record is not there, the answered one is.
            let reopened = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            defer { reopened.close() }
            #expect(try reopened.recover().records == [record(1)])
        }

        // MARK: Shared rate limits

        @Test func eachServerReceivesTheOthersRateLimitedCallsAndAStoppedOneNoLongerCounts() async throws {
            let conninfo = try await migratedDatabase()
            func exchange(_ calls: Int) throws -> (PostgresRateExchange, AsyncStream<[SharedCallCount]>) {
                let (reports, report) = AsyncStream.makeStream(of: [SharedCallCount].self)
                let exchange = try PostgresRateExchange(
                    conninfo: conninfo, period: .milliseconds(50),
                    local: { [SharedCallCount(user: "ann", operation: "list", calls: calls, oldest: 1_000)] },
                    received: { report.yield($0) }, onWarning: { Issue.record("warning: \($0)") })
                return (exchange, reports)
            }
            let (first, firstReports) = try exchange(2)
            let (second, secondReports) = try exchange(1)
            defer { second.close() }
            // Each receives the other's calls, never its own.
            for await counts in secondReports where !counts.isEmpty {
                #expect(counts == [SharedCallCount(user: "ann", operation: "list", calls: 2, oldest: 1_000)])
                break
            }
            for await counts in firstReports where !counts.isEmpty {
                #expect(counts == [SharedCallCount(user: "ann", operation: "list", calls: 1, oldest: 1_000)])
                break
            }
            // A server that stops takes its counts with it.
            first.close()
            for await counts in secondReports where counts.isEmpty { break }
            let nodes = try await PostgresScratch.psql(
                database: PostgresScratch.databaseName(conninfo), "SELECT node FROM taskwire_rate_nodes")
            #expect(nodes == second.node + "\n")
        }

        // MARK: Blobs

        @Test func blobsAreStoredOnceReadBackAndDeleted() async throws {
            let store = try PostgresBackend.open(conninfo: try await migratedDatabase(), options: quiet())
            defer { store.close() }
            let bytes = Array((0..<300_000).map { UInt8(truncatingIfNeeded: $0) })
            try store.putBlob(key: "abc123", bytes: bytes)
            try store.putBlob(key: "abc123", bytes: bytes)
            try store.putBlob(key: "0def", bytes: [1, 2, 3])
            #expect(try store.blob(key: "abc123") == bytes)
            #expect(try store.blobKeys() == ["0def", "abc123"])
            try store.deleteBlob(key: "abc123")
            try store.deleteBlob(key: "abc123")
            #expect(try store.blob(key: "abc123") == nil)
            #expect(throws: StoreError.self) { try store.putBlob(key: "../etc", bytes: []) }
        }

        @Test func theInitialSnapshotOfAnImportNeedsAnEmptyDatabase() async throws {
            let conninfo = try await migratedDatabase()
            let store = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            try store.writeInitialSnapshot(Array("imported".utf8))
            try await store.append(record(1)).wait()
            #expect(throws: StoreError.self) { try store.writeInitialSnapshot(Array("again".utf8)) }
            store.close()
            let reopened = try PostgresBackend.open(conninfo: conninfo, options: quiet())
            defer { reopened.close() }
            let recovered = try reopened.recover()
            #expect(recovered.snapshot == Array("imported".utf8))
            #expect(recovered.records == [record(1)])
        }
    }

    /// A payload that says which record it is, of varying length.
    func record(_ number: Int) -> [UInt8] {
        Array("{\"record\":\(number),\"pad\":\"\(String(repeating: "x", count: number % 23))\"}".utf8)
    }

    /// A new database with taskwire's schema.
    func migratedDatabase() async throws -> String {
        let conninfo = try await PostgresScratch.createDatabase()
        _ = try PostgresBackend.migrate(conninfo: conninfo)
        return conninfo
    }

    /// Options that keep warnings out of the test output and report snapshots to `snapshots`.
    func quiet(_ snapshots: Occurrences? = nil) -> PostgresStoreOptions {
        var options = PostgresStoreOptions()
        options.onWarning = { _ in }
        options.onInfo = { message, _ in if message == "snapshot written" { snapshots?.occurred() } }
        return options
    }

    /// ``quiet(_:)`` options for a store that follows another that writes.
    func readNode() -> PostgresStoreOptions {
        var options = quiet()
        options.whenServed = .follow
        return options
    }

    /// The error opening `conninfo` throws, recorded as an issue when it opens.
    func refusalToOpen(_ conninfo: String) -> StoreError? {
        #expect(throws: StoreError.self) { try PostgresBackend.open(conninfo: conninfo, options: quiet()) }
    }

    /// Counts what a store reports (snapshots written, records handed to a read node), so a test waits for
    /// a count instead of sleeping.
    final class Occurrences: Sendable {
        private struct Waiter {
            var count: Int
            var id: Int
            var continuation: CheckedContinuation<Bool, Never>
        }

        private let state = Mutex<(count: Int, nextID: Int, waiters: [Waiter])>((0, 0, []))

        /// How many occurred so far.
        var count: Int { state.withLock { $0.count } }

        func occurred(_ times: Int = 1) {
            let ready = state.withLock { state in
                state.count += times
                let count = state.count
                defer { state.waiters.removeAll { $0.count <= count } }
                return state.waiters.filter { $0.count <= count }.map(\.continuation)
            }
            for continuation in ready { continuation.resume(returning: true) }
        }

        /// Returns once `count` occurred; throws after a minute instead of hanging.
        func waitFor(_ count: Int) async throws {
            let written = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let id: Int? = state.withLock { state in
                    if state.count >= count { return nil }
                    state.nextID += 1
                    state.waiters.append(Waiter(count: count, id: state.nextID, continuation: continuation))
                    return state.nextID
                }
                guard let id else { return continuation.resume(returning: true) }
                Task {
                    try? await Task.sleep(for: .seconds(60))
                    let expired = self.state.withLock { state in
                        defer { state.waiters.removeAll { $0.id == id } }
                        return state.waiters.first { $0.id == id }?.continuation
                    }
                    expired?.resume(returning: false)
                }
            }
            if !written { throw TestTimeout("occurrence \(count)") }
        }
    }
#endif
