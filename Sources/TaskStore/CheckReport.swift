/// What ``FileStore/check(directory:)`` found in a data directory, without changing anything.
package struct CheckReport: Sendable, CustomStringConvertible {
    /// The verdict: whether a server starts on the directory, and whether it repairs something to do so.
    package enum Status: Sendable, Equatable {
        /// Every file verifies and a start changes nothing.
        case healthy
        /// A start repairs something and loses nothing answered: it truncates an incomplete last record (a
        /// write a crash interrupted), rebuilds or skips a damaged snapshot from an older one and the
        /// journal, or deletes a temporary file an interrupted snapshot left.
        case recoverable
        /// Fatal: a start refuses, because durable data is damaged or missing (a journal segment, a range of
        /// records, a snapshot nothing else can rebuild) and nothing on disk can stand in for it.
        case damaged
    }

    /// One snapshot file.
    package struct Snapshot: Sendable {
        /// The file name.
        package var name: String
        /// The last record it covers.
        package var lastRecord: UInt64
        /// Whether its header and checksum verified.
        package var valid: Bool
        /// What is wrong with it, when it is not valid.
        package var problem: String?
    }

    /// One journal segment file.
    package struct Segment: Sendable {
        /// The file name.
        package var name: String
        /// The number of its first record.
        package var firstRecord: UInt64
        /// How many valid records it holds; nil when it was not read (damage stopped the check earlier).
        package var records: Int?
        /// The byte offset just after its last valid record.
        package var validBytes: Int64?
    }

    /// The directory that was checked.
    package var directory: String
    /// Snapshot files, newest first.
    package var snapshots: [Snapshot]
    /// Journal segments, oldest first.
    package var segments: [Segment]
    /// The last record of the snapshot recovery would start from; 0 without one.
    package var snapshotLastRecord: UInt64
    /// The journal records recovery would replay after that snapshot.
    package var recordsAfterSnapshot: Int
    /// The number of the newest record.
    package var lastRecord: UInt64
    /// A torn tail that opening would truncate, a damaged snapshot that would be rebuilt from an older one.
    package var warnings: [String]
    /// Damage that makes opening refuse (file and offset in its `location`); nil when the store would open.
    package var damage: StoreError?
    /// The incomplete last record a start would truncate: the segment and the byte range.
    package var tornTail: (segment: String, bytes: Range<Int64>)?
    /// Temporary files a start deletes (an interrupted snapshot, an interrupted manifest update).
    package var temporaryFiles: [String] = []

    /// The verdict; see ``Status``.
    package var status: Status {
        if damage != nil { return .damaged }
        if !snapshots.allSatisfy(\.valid) || tornTail != nil || !temporaryFiles.isEmpty { return .recoverable }
        return .healthy
    }

    /// What a start would repair, one sentence each, in the order it does it; empty when healthy or fatal.
    package var repairs: [String] {
        guard damage == nil else { return [] }
        var lines: [String] = []
        for name in temporaryFiles {
            lines.append("\(name) is a file an interrupted write left (a crash during a snapshot); a start deletes it.")
        }
        if let tornTail {
            lines.append(
                "\(tornTail.segment) ends with an incomplete record at bytes \(tornTail.bytes.lowerBound)"
                    + "..<\(tornTail.bytes.upperBound): a write a crash interrupted before it was answered. A start "
                    + "cuts it off; nothing answered is in it.")
        }
        let chosen = snapshots.first(where: \.valid)?.name
        for snapshot in damagedSnapshots {
            if snapshot.lastRecord > snapshotLastRecord || chosen == nil {
                lines.append(
                    "\(snapshot.name) is damaged (\(snapshot.problem ?? "unreadable")); a start rebuilds its state "
                        + "from \(chosen ?? "the start of the journal") and the journal records after it, and the "
                        + "next snapshot replaces it.")
            } else {
                lines.append(
                    "\(snapshot.name) is damaged (\(snapshot.problem ?? "unreadable")); a start does not need it (it "
                        + "starts from \(chosen ?? "")), but it was the fallback should the newer snapshot be "
                        + "damaged; the next snapshot deletes it.")
            }
        }
        return lines
    }

    /// Whether every file verifies and a start would change nothing.
    package var isHealthy: Bool { status == .healthy }

    /// The snapshots whose header or checksum did not verify, newest first.
    package var damagedSnapshots: [Snapshot] { snapshots.filter { !$0.valid } }

    /// What the operator should do about what was found, one sentence per line; empty when healthy.
    package var advice: [String] {
        switch status {
        case .healthy:
            return []
        case .damaged:
            return [
                "taskwire will not start on this directory (exit 65): durable data is damaged or missing, and "
                    + "nothing on disk can stand in for it.",
                "Keep a copy of the directory as it is, then put back the missing file or restore the directory "
                    + "from a backup. Do not delete or rename files to make it start: that would silently drop "
                    + "the changes they hold.",
            ]
        case .recoverable:
            var lines = ["Nothing answered is lost: start the server and it makes the repairs above."]
            if !damagedSnapshots.isEmpty {
                lines.append(
                    "A damaged file often means failing storage: first copy the directory somewhere safe and check "
                        + "the disk; `taskwire export` and `taskwire import` into a fresh directory also work.")
            }
            return lines
        }
    }

    /// A summary for the operator: the verdict, one line per file, then what is wrong, where, and what to do.
    package var description: String {
        let verdict: String
        switch status {
        case .healthy: verdict = "healthy"
        case .recoverable: verdict = "RECOVERABLE (a start repairs it; nothing answered is lost)"
        case .damaged: verdict = "DAMAGED, fatal (a start refuses)"
        }
        var lines = ["Data directory \(directory): \(verdict)"]
        for snapshot in snapshots {
            lines.append(
                "  \(snapshot.name): up to record \(snapshot.lastRecord), "
                    + (snapshot.valid ? "verified" : "invalid (\(snapshot.problem ?? "not read"))"))
        }
        for segment in segments {
            let records = segment.records.map { "\($0) records, \(segment.validBytes ?? 0) bytes" } ?? "not read"
            lines.append("  \(segment.name): \(records)")
        }
        if damage == nil {
            lines.append(
                "  recovery: snapshot up to record \(snapshotLastRecord), then \(recordsAfterSnapshot) journal "
                    + "records, last record \(lastRecord)")
        }
        for repair in repairs { lines.append("  repair: \(repair)") }
        if let damage {
            lines.append("  problem: \(damage.message)")
            if let location = damage.location { lines.append("  where: \(location)") }
            if let cause = damage.cause { lines.append("  cause: \(cause)") }
        }
        for line in advice { lines.append("  what to do: \(line)") }
        return lines.joined(separator: "\n")
    }
}

extension FileStore {
    /// Verifies a data directory read-only: every snapshot's checksum, every journal record, torn tails and
    /// damage. It takes no lock and changes nothing, so it may run beside a server (whose newest writes it
    /// may then see as a torn tail).
    package static func check(
        directory: String, fileSystem: any FileSystem = SystemFileSystem()
    ) throws(StoreError) -> CheckReport {
        guard fileSystem.exists(directory) else {
            throw StoreError(code: .io, message: "The data directory does not exist.", location: directory)
        }
        var recovery = try Recovery.run(
            directory: directory, fileSystem: fileSystem, mode: .init(collect: false, repair: false, examineAll: true))
        let after = recovery.segments.reduce(0) { total, segment in
            guard let scan = segment.scan else { return total }
            let skip = recovery.snapshotLastRecord + 1 - min(segment.firstRecord, recovery.snapshotLastRecord + 1)
            return total + max(0, scan.records - Int(clamping: skip))
        }
        if recovery.damage == nil, let last = recovery.segments.last, let scan = last.scan {
            recovery.lastRecord = max(recovery.snapshotLastRecord, last.firstRecord + UInt64(scan.records) - 1)
        }
        return CheckReport(
            directory: directory,
            snapshots: recovery.snapshots.map {
                CheckReport.Snapshot(name: $0.name, lastRecord: $0.lastRecord, valid: $0.verified, problem: $0.problem)
            },
            segments: recovery.segments.map {
                CheckReport.Segment(
                    name: $0.name, firstRecord: $0.firstRecord, records: $0.scan?.records,
                    validBytes: $0.scan?.validEnd)
            },
            snapshotLastRecord: recovery.snapshotLastRecord, recordsAfterSnapshot: after,
            lastRecord: recovery.lastRecord, warnings: recovery.warnings, damage: recovery.damage,
            tornTail: recovery.tornTail,
            temporaryFiles: recovery.leftovers.filter { $0.hasSuffix(StorePaths.temporarySuffix) }.sorted())
    }
}

extension FileStore {
    /// Reads what recovery would load (the newest valid snapshot and the records after it) without taking
    /// the lock or repairing anything, so `taskwire check` can also verify that the engine understands
    /// every record.
    package static func readOnlyRecovery(
        directory: String, fileSystem: any FileSystem = SystemFileSystem()
    ) throws(StoreError) -> RecoveredState {
        let recovery = try Recovery.run(
            directory: directory, fileSystem: fileSystem, mode: .init(collect: true, repair: false, examineAll: false))
        return RecoveredState(snapshot: recovery.snapshot, records: recovery.records, warnings: recovery.warnings)
    }
}
