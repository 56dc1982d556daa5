package import TaskStore

/// The PostgreSQL backend as the server sees it: available only in a build with the `Postgres` trait
/// (`swift build --traits Postgres`, which needs libpq; docs/postgres.md). Without the trait every call
/// refuses with a message that says how to build it.
package enum PostgresBackend {
    /// Whether this build has the backend.
    package static var isBuilt: Bool {
        #if Postgres
            true
        #else
            false
        #endif
    }

    /// The refusal of a build without the backend.
    package static let notBuilt = StoreError(
        code: .io,
        message: "This taskwire was built without the PostgreSQL backend; build it with "
            + "`swift build -c release --traits Postgres` (needs libpq, Debian's libpq-dev)")

    /// Opens the store in the database `conninfo` names (a URL, libpq keywords, or empty for `PG*`).
    package static func open(conninfo: String, options: PostgresStoreOptions) throws(StoreError) -> any Store {
        #if Postgres
            return try PostgresStore.open(conninfo: conninfo, options: options)
        #else
            throw notBuilt
        #endif
    }

    /// Runs one SQL statement on a connection of its own, outside a transaction: for what a tool does beside
    /// taskwire's tables (the tests create and drop their databases with it).
    package static func execute(conninfo: String, _ statement: String) throws(StoreError) {
        #if Postgres
            do {
                let connection = try PostgresConnection(conninfo: conninfo)
                defer { connection.close() }
                _ = try connection.execute(statement)
            } catch {
                throw error.storeError(.io, doing: "running a statement")
            }
        #else
            throw notBuilt
        #endif
    }

    /// Creates or upgrades taskwire's tables in the database; returns the schema versions before and after.
    /// `upTo` stops at an earlier version (the schema an earlier release served, for a test of the upgrade).
    package static func migrate(conninfo: String, upTo target: Int? = nil) throws(StoreError) -> (from: Int, to: Int) {
        #if Postgres
            do {
                let connection = try PostgresConnection(conninfo: conninfo)
                defer { connection.close() }
                return try PostgresSchema.migrate(connection, upTo: target ?? PostgresSchema.latest)
            } catch {
                throw error.storeError(.io, doing: "migrating")
            }
        #else
            throw notBuilt
        #endif
    }
}

/// What `taskwire check --postgres` found: what a start would recover, read in one read-only transaction, so
/// it runs beside a live server without a lock and sees one consistent state.
package struct PostgresCheck: Sendable {
    /// The snapshot and records a start would replay, with its warnings (a newest snapshot that fails its
    /// check, and the fallback used instead).
    package var recovered: RecoveredState
    /// The snapshot rows, newest first, by the record they cover.
    package var snapshotCovers: [UInt64]
    /// The records after the snapshot used: the first and last row numbers, nil when there are none.
    package var journalRows: ClosedRange<UInt64>?
}

extension PostgresBackend {
    /// Reads the database as a start would, changing nothing and taking no lock.
    ///
    /// - Throws: ``StoreError/Code/damaged`` for what a start refuses (a missing or corrupt row, no snapshot
    ///   that checks out, a newer schema), ``StoreError/Code/io`` when the database cannot be read or is not
    ///   migrated.
    package static func check(conninfo: String) throws(StoreError) -> PostgresCheck {
        #if Postgres
            let connection: PostgresConnection
            do { connection = try PostgresConnection(conninfo: conninfo) } catch {
                throw error.storeError(.io, doing: "connecting")
            }
            defer { connection.close() }
            try PostgresSchema.requireCurrent(connection, conninfo: conninfo)
            let recovery: PostgresRecovery
            do {
                try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                recovery = try PostgresRecovery.read(connection)
                try connection.execute("COMMIT")
            } catch let error as PostgresError {
                throw error.storeError(.io, doing: "reading the journal")
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError(code: .io, message: "PostgreSQL: reading the journal failed", cause: "\(error)")
            }
            let count = UInt64(recovery.records.count)
            return PostgresCheck(
                recovered: RecoveredState(
                    snapshot: recovery.snapshot, records: recovery.records, warnings: recovery.warnings),
                snapshotCovers: recovery.snapshotCovers,
                journalRows: count == 0 ? nil : (recovery.lastRecord - count + 1)...recovery.lastRecord)
        #else
            throw notBuilt
        #endif
    }
}

/// How a PostgreSQL store behaves; the defaults suit a server.
package struct PostgresStoreOptions: Sendable {
    /// How long a lost database is retried before the store fails.
    package var retryWindow: Duration = .seconds(30)
    /// What opening does when another process holds the serving lock.
    package enum WhenServed: Sendable {
        /// Wait up to ``lockWait`` for it (a previous process whose connection is still closing), then refuse
        /// with ``StoreError/Code/locked``: for a subcommand that must write (`import`, `token create`).
        case refuse
        /// Open as a read node that follows the writer and takes over when it stops (``FollowingStore``).
        case follow
    }

    /// What opening does when another process holds the serving lock.
    package var whenServed = WhenServed.refuse
    /// How long opening waits for the serving lock a previous process may still hold while its connection
    /// closes (with ``WhenServed/refuse``); for a read node, how long after its own reconnection it leaves the
    /// lock to a writer that is reconnecting too.
    package var lockWait: Duration = .seconds(5)
    /// How often a read node looks for new journal rows, and tries the serving lock, without a notification
    /// (and how often both ends of the forwarded writes look for theirs).
    package var followPoll: Duration = .seconds(1)
    /// How long a read node waits for the writer to answer a forwarded write before it answers 503.
    package var forwardTimeout: Duration = .seconds(60)
    /// A snapshot is due after this many records, or this many journal bytes, since the last one.
    package var snapshotRecordThreshold = 100_000
    package var snapshotByteThreshold = 64 << 20
    /// The most record bytes one transaction carries.
    package var batchBytes = 8 << 20
    /// Called once when the store fails; the server stops then.
    package var onFailure: (@Sendable (StoreError) -> Void)?
    /// Things worth telling the operator (a lost connection, a fallback snapshot).
    package var onWarning: @Sendable (String) -> Void = { _ in }
    /// Routine events for the log (a snapshot written).
    package var onInfo: @Sendable (_ message: String, _ fields: KeyValuePairs<String, String>) -> Void = { _, _ in }

    package init() {}
}
