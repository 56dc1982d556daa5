#if Postgres
    import TaskStore

    /// The tables taskwire keeps in a PostgreSQL database, as numbered migrations (docs/postgres.md, "Schema").
    ///
    /// `taskwire migrate` applies the missing ones in one transaction under an advisory lock, so two nodes
    /// migrating at once are safe: the second waits, then finds nothing left to do. A server refuses a database
    /// whose schema is older (run `migrate`) or newer (a newer taskwire made it) than the one it knows.
    enum PostgresSchema {
        /// The advisory lock `migrate` holds for its transaction ("taskwire" in ASCII).
        static let migrationLock: Int64 = 0x7461_736B_7769_7265
        /// The advisory lock a serving node holds for its whole session.
        static let servingLock: Int64 = migrationLock + 1

        /// Each migration's version and statements, oldest first. Never edit a released migration: add one.
        static let migrations: [(version: Int, statements: [String])] = [
            (
                1,
                [
                    // One row per journal record, numbered from 1 without gaps; a record is one committed change
                    // (or a group committed together), exactly the bytes the file store would journal.
                    """
                    CREATE TABLE taskwire_journal (
                        pos bigint PRIMARY KEY CHECK (pos > 0),
                        crc integer NOT NULL,
                        record bytea NOT NULL,
                        written_at timestamptz NOT NULL DEFAULT now()
                    )
                    """,
                    // A snapshot covers every record up to `covers`; its bytes are split into parts, since a bytea
                    // holds at most 1 GB. Written whole in one transaction, so a listed snapshot is complete.
                    """
                    CREATE TABLE taskwire_snapshots (
                        covers bigint PRIMARY KEY CHECK (covers >= 0),
                        crc integer NOT NULL,
                        length bigint NOT NULL,
                        parts integer NOT NULL,
                        written_at timestamptz NOT NULL DEFAULT now()
                    )
                    """,
                    """
                    CREATE TABLE taskwire_snapshot_parts (
                        covers bigint NOT NULL REFERENCES taskwire_snapshots (covers) ON DELETE CASCADE,
                        part integer NOT NULL,
                        bytes bytea NOT NULL,
                        PRIMARY KEY (covers, part)
                    )
                    """,
                    // Attachment bytes by content digest, as the file store keeps them under blobs/.
                    """
                    CREATE TABLE taskwire_blobs (
                        key text PRIMARY KEY,
                        bytes bytea NOT NULL,
                        written_at timestamptz NOT NULL DEFAULT now()
                    )
                    """,
                ]
            ),
            (
                2,
                [
                    // Statements that add journal rows, hand requests over or record replies notify the sessions
                    // that LISTEN on the channel their trigger names, when the transaction commits: read nodes
                    // (`taskwire_journal`, `taskwire_replies`) and the writer (`taskwire_requests`). The rows stay
                    // the truth; a lost notification only delays a node until its next look (docs/postgres.md,
                    // "Several servers on one database").
                    """
                    CREATE FUNCTION taskwire_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        PERFORM pg_notify(TG_ARGV[0], '');
                        RETURN NULL;
                    END
                    $$
                    """,
                    """
                    CREATE TRIGGER taskwire_journal_notify AFTER INSERT ON taskwire_journal
                        FOR EACH STATEMENT EXECUTE FUNCTION taskwire_notify('taskwire_journal')
                    """,
                    // Writes a read node hands to the writer: the request, when the writer took it, and the reply
                    // with the journal position the writer had committed when it answered.
                    """
                    CREATE TABLE taskwire_requests (
                        id bigserial PRIMARY KEY,
                        request bytea NOT NULL,
                        created_at timestamptz NOT NULL DEFAULT now(),
                        claimed_at timestamptz,
                        reply bytea,
                        reply_pos bigint,
                        answered_at timestamptz
                    )
                    """,
                    """
                    CREATE TRIGGER taskwire_requests_notify AFTER INSERT ON taskwire_requests
                        FOR EACH STATEMENT EXECUTE FUNCTION taskwire_notify('taskwire_requests')
                    """,
                    """
                    CREATE TRIGGER taskwire_replies_notify AFTER UPDATE OF reply ON taskwire_requests
                        FOR EACH STATEMENT EXECUTE FUNCTION taskwire_notify('taskwire_replies')
                    """,
                ]
            ),
            (
                3,
                [
                    // Every node reports here, once a second, the rate-limited calls it admitted that are still in
                    // their windows, and reads the other nodes' reports, so that a user's limit holds for the
                    // whole fleet (docs/postgres.md, "Several servers on one database"). `reported_at` is when a
                    // node last replaced its counts; `read_at` the instant before it last read the others'.
                    """
                    CREATE TABLE taskwire_rate_nodes (
                        node text PRIMARY KEY,
                        reported_at timestamptz NOT NULL,
                        read_at timestamptz NOT NULL
                    )
                    """,
                    // `oldest` is the time of the oldest call still in the window, in seconds since 1970 on the
                    // node's clock (for `retry_after_seconds`).
                    """
                    CREATE TABLE taskwire_rate_calls (
                        node text NOT NULL REFERENCES taskwire_rate_nodes (node) ON DELETE CASCADE,
                        user_id text NOT NULL,
                        operation text NOT NULL,
                        calls integer NOT NULL CHECK (calls > 0),
                        oldest double precision NOT NULL,
                        PRIMARY KEY (node, user_id, operation)
                    )
                    """,
                ]
            ),
        ]

        /// The channel read nodes listen on for new journal rows (migration 2).
        static let journalChannel = "taskwire_journal"

        /// The newest schema version this build knows.
        static var latest: Int { migrations.last?.version ?? 0 }

        /// The schema version the database holds: 0 when taskwire never migrated it.
        static func version(of connection: PostgresConnection) throws(PostgresError) -> Int {
            let exists = try connection.execute("SELECT to_regclass('taskwire_schema_versions') IS NOT NULL")
            guard exists.bytes(0, 0) == [1] else { return 0 }
            let rows = try connection.execute("SELECT coalesce(max(version), 0)::bigint FROM taskwire_schema_versions")
            return Int(rows.integer(0, 0) ?? 0)
        }

        /// Brings the database to `target` (``latest`` unless an earlier release's schema is wanted, as a test
        /// of the upgrade makes one); returns the versions before and after.
        ///
        /// - Throws: a ``PostgresError`` from the database, or a statement-kind error when the database holds a
        ///   schema newer than this build knows.
        static func migrate(
            _ connection: PostgresConnection, upTo target: Int = latest
        ) throws(PostgresError) -> (from: Int, to: Int) {
            try connection.transaction { () throws(PostgresError) in
                try connection.execute("SELECT pg_advisory_xact_lock($1)", [.integer(migrationLock)])
                try connection.execute(
                    """
                    CREATE TABLE IF NOT EXISTS taskwire_schema_versions (
                        version integer PRIMARY KEY,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """)
                let before = try version(of: connection)
                guard before <= latest else { throw newerSchema(before) }
                for migration in migrations where migration.version > before && migration.version <= target {
                    for statement in migration.statements { try connection.execute(statement) }
                    try connection.execute(
                        "INSERT INTO taskwire_schema_versions (version) VALUES ($1)",
                        [.integer(Int64(migration.version))])
                }
                return (before, max(before, min(target, latest)))
            }
        }

        /// Throws unless the database holds exactly the schema this build serves.
        static func requireCurrent(_ connection: PostgresConnection, conninfo: String) throws(StoreError) {
            let found: Int
            do { found = try version(of: connection) } catch {
                throw error.storeError(.io, doing: "reading the schema version")
            }
            if found == latest { return }
            if found > latest { throw StoreError(code: .damaged, message: newerSchema(found).message) }
            throw StoreError(
                code: .io,
                message: found == 0
                    ? "The database has no taskwire schema yet; run `taskwire migrate --postgres URL` first"
                    : "The database holds taskwire schema version \(found) and this build serves version \(latest); "
                        + "run `taskwire migrate --postgres URL` first")
        }

        private static func newerSchema(_ found: Int) -> PostgresError {
            PostgresError(
                kind: .statement,
                message: "The database holds taskwire schema version \(found), newer than this build's \(latest): "
                    + "a newer taskwire migrated it; run that release")
        }
    }
#endif
