#if Postgres
    import TaskStore

    /// What a PostgreSQL database holds for recovery: the newest snapshot that checks out, and every journal
    /// row after it, each checked against its CRC-32C and against a gap in the numbering.
    struct PostgresRecovery {
        var snapshot: [UInt8]?
        var records: [[UInt8]] = []
        var recordBytes = 0
        var warnings: [String] = []
        /// The last record number, covered by the snapshot or in `records` (0 for an empty database).
        var lastRecord: UInt64 = 0
        /// The durable snapshots, newest first, by the record they cover.
        var snapshotCovers: [UInt64] = []

        /// Journal rows read per query, so a long journal never sits in one result at once.
        private static let pageRows = 10_000

        static func read(_ connection: PostgresConnection) throws -> PostgresRecovery {
            var recovery = PostgresRecovery()
            let listed = try connection.execute(
                "SELECT covers, crc, length, parts FROM taskwire_snapshots ORDER BY covers DESC")
            var covers: UInt64 = 0
            var found = false
            for row in 0..<listed.count {
                let candidate = UInt64(listed.integer(row, 0) ?? 0)
                recovery.snapshotCovers.append(candidate)
                guard !found else { continue }
                let crc = UInt32(truncatingIfNeeded: listed.integer(row, 1) ?? 0)
                let length = Int(listed.integer(row, 2) ?? 0)
                let parts = Int(listed.integer(row, 3) ?? 0)
                var bytes: [UInt8] = []
                bytes.reserveCapacity(length)
                for part in 0..<parts {
                    let rows = try connection.execute(
                        "SELECT bytes FROM taskwire_snapshot_parts WHERE covers = $1 AND part = $2",
                        [.integer(Int64(candidate)), .integer(Int64(part))])
                    if rows.count == 1 { bytes += rows.bytes(0, 0) }
                }
                if bytes.count == length, CRC32C.checksum(bytes) == crc {
                    recovery.snapshot = bytes
                    covers = candidate
                    found = true
                } else {
                    recovery.warnings.append(
                        "The snapshot covering record \(candidate) fails its check (\(bytes.count) of \(length) bytes); "
                            + "recovering from an older one")
                }
            }
            if !listed.isEmpty && !found {
                throw StoreError(
                    code: .damaged,
                    message: "No snapshot in the database checks out, so the records before the journal are lost; "
                        + "restore the database from a backup")
            }
            if found, covers != recovery.snapshotCovers.first {
                // Only the newest snapshot is listed first; the older one is kept with the journal after it.
                recovery.snapshotCovers.removeAll { $0 > covers }
            }
            recovery.lastRecord = covers
            while true {
                let rows = try connection.execute(
                    "SELECT pos, crc, record FROM taskwire_journal WHERE pos > $1 ORDER BY pos LIMIT \(pageRows)",
                    [.integer(Int64(recovery.lastRecord))])
                if rows.isEmpty { break }
                for row in 0..<rows.count {
                    let position = UInt64(rows.integer(row, 0) ?? 0)
                    guard position == recovery.lastRecord + 1 else {
                        throw StoreError(
                            code: .damaged,
                            message: "Journal rows \(recovery.lastRecord + 1) to \(position - 1) are missing from "
                                + "taskwire_journal, so answered writes would be lost; restore the database from a backup"
                        )
                    }
                    let record = rows.bytes(row, 2)
                    guard CRC32C.checksum(record) == UInt32(truncatingIfNeeded: rows.integer(row, 1) ?? 0) else {
                        throw StoreError(
                            code: .damaged,
                            message: "Journal row \(position) fails its checksum; restore the database from a backup")
                    }
                    recovery.records.append(record)
                    recovery.recordBytes += record.count
                    recovery.lastRecord = position
                }
                if rows.count < pageRows { break }
            }
            return recovery
        }
    }
#endif
