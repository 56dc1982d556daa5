import Glibc

/// Reads a data directory: picks the newest valid snapshot, walks the chain of journal segments after it, and
/// finds torn tails and damage. ``FileStore/open(directory:options:)`` runs it to repair and load;
/// ``FileStore/check(directory:)`` runs it read-only to report.
///
/// A damaged snapshot may be skipped for an older one (or for none) only when the journal still holds every
/// record from just after that older snapshot up to the last record the damaged one covered: then replaying
/// them rebuilds exactly what the damaged file held. A snapshot up to record 0 is the directory's starting
/// point (`taskwire import` writes one) and no journal record holds its contents: recovery never falls back
/// past it to an empty start.
struct Recovery {
    /// One snapshot file and, when it was read, what is wrong with it.
    struct SnapshotFileStatus {
        var name: String
        var lastRecord: UInt64
        var verified = false
        var problem: String?
    }

    /// One journal segment and, when it was read, what reading it found.
    struct SegmentFile {
        var name: String
        var firstRecord: UInt64
        var scan: SegmentScan?
    }

    /// How recovery treats what it finds.
    struct Mode {
        /// Keep the records after the snapshot (open) or only count them (check).
        var collect: Bool
        /// Truncate a torn tail (open) or only report it (check).
        var repair: Bool
        /// Read every segment and snapshot (check) or only what replay needs (open).
        var examineAll: Bool
    }

    var snapshot: [UInt8]?
    /// The last record the chosen snapshot covers; 0 without one.
    var snapshotLastRecord: UInt64 = 0
    var records: [[UInt8]] = []
    /// The framed size of `records`, for the snapshot policy.
    var recordBytes = 0
    var warnings: [String] = []
    var snapshots: [SnapshotFileStatus] = []
    var segments: [SegmentFile] = []
    /// The number of the newest record on disk (or covered by the snapshot).
    var lastRecord: UInt64 = 0
    /// The damage found (check mode); open mode throws it instead.
    var damage: StoreError?
    /// Names of leftover temporary files (an interrupted snapshot or blob write, an unused spare segment).
    var leftovers: [String] = []
    /// The newest snapshot, when it is damaged and recovery fell back past it.
    var skippedSnapshot: SnapshotFileStatus?
    /// The incomplete last record of the newest segment, which opening truncates.
    var tornTail: (segment: String, bytes: Range<Int64>)?
    /// What `journal.manifest` says (``JournalManifest``).
    var manifest = JournalManifest.Contents.absent

    /// Whether a snapshot newer than the chosen one was started and never completed: a segment begins after
    /// the chosen snapshot's boundary (only a snapshot starts a segment there), or a snapshot's temporary
    /// file is left.
    var snapshotInterrupted: Bool {
        segments.contains { $0.firstRecord > snapshotLastRecord + 1 }
            || leftovers.contains { StorePaths.snapshotLastRecord(StorePaths.withoutTemporarySuffix($0)) != nil }
    }

    static func run(directory: String, fileSystem: any FileSystem, mode: Mode) throws(StoreError) -> Recovery {
        var recovery = Recovery()
        let names = try fileSystem.contentsOfDirectory(directory) ?? []
        for name in names {
            if let last = StorePaths.snapshotLastRecord(name) {
                recovery.snapshots.append(SnapshotFileStatus(name: name, lastRecord: last))
            } else if let first = StorePaths.segmentFirstRecord(name) {
                recovery.segments.append(SegmentFile(name: name, firstRecord: first))
            } else if name.hasSuffix(StorePaths.temporarySuffix) || name == StorePaths.spareSegment {
                recovery.leftovers.append(name)
            }
        }
        recovery.snapshots.sort { $0.lastRecord > $1.lastRecord }
        recovery.segments.sort { $0.firstRecord < $1.firstRecord }
        do throws(StoreError) {
            recovery.manifest = try JournalManifest.read(directory: directory, fileSystem: fileSystem)
            try recovery.chooseSnapshot(directory: directory, fileSystem: fileSystem, mode: mode)
            if let missing = recovery.missingNewestSegment(directory: directory) { throw missing }
            do {
                try recovery.replay(directory: directory, fileSystem: fileSystem, mode: mode)
            } catch  where error.code == .damaged {
                throw recovery.fallbackFailed(error, directory: directory)
            }
            if let refusal = recovery.uncoveredSnapshot(directory: directory) { throw refusal }
            if let skipped = recovery.skippedSnapshot {
                recovery.warnings.append(
                    "\(skipped.name) is damaged (\(skipped.problem ?? "unreadable")); recovered from "
                        + "\(recovery.fallbackDescription) and journal records \(recovery.snapshotLastRecord + 1) "
                        + "to \(recovery.lastRecord) instead. The next snapshot replaces the damaged file.")
            }
        } catch  where error.code == .damaged && !mode.repair {
            recovery.damage = error
        }
        return recovery
    }

    /// Why the journal cannot be trusted to be whole: the segment `journal.manifest` names as the newest is
    /// gone (or the manifest itself is damaged). Nil when the manifest is absent (an earlier release's
    /// directory) or its segment is there.
    private func missingNewestSegment(directory: String) -> StoreError? {
        let manifestPath = StorePaths.join(directory, StorePaths.manifest)
        switch manifest {
        case .absent:
            return nil
        case .damaged(let problem):
            return StoreError(
                code: .damaged,
                message: "\(StorePaths.manifest) is damaged (\(problem)). It records which journal segment is the "
                    + "newest, so without it a missing segment cannot be told from a journal that simply ends "
                    + "there. Refusing to start rather than risk serving without the newest changes; keep a copy of "
                    + "the directory as it is and restore it from a backup.",
                location: manifestPath)
        case .newestSegment(let first):
            if segments.contains(where: { $0.firstRecord == first }) { return nil }
            let name = StorePaths.segmentName(firstRecord: first)
            let present =
                segments.last.map { "; the newest segment present is \($0.name)" } ?? "; no segment is present"
            return StoreError(
                code: .damaged,
                message: "The journal segment \(name) is missing. \(StorePaths.manifest) records it as the newest "
                    + "segment, holding every change from record \(first) on\(present). Starting without it would "
                    + "silently lose those changes, so taskwire refuses. Put the file back (from wherever it was "
                    + "moved, or from a backup), or restore the whole directory from a backup.",
                location: StorePaths.join(directory, name))
        }
    }

    /// What falling back to the chosen snapshot (or to none) starts from, for messages.
    private var fallbackDescription: String {
        guard snapshot != nil else { return "the empty start of the journal" }
        return StorePaths.snapshotName(lastRecord: snapshotLastRecord)
    }

    /// Why falling back past the damaged newest snapshot cannot rebuild it, after replay: it is an import's
    /// starting point (record 0), or the journal ends before the last record it covered. Nil when it can.
    private func uncoveredSnapshot(directory: String) -> StoreError? {
        guard let skipped = skippedSnapshot else { return nil }
        if snapshot == nil, let origin = snapshots.first(where: { $0.lastRecord == 0 }) {
            let newer =
                origin.name == skipped.name ? "" : " (as is every newer snapshot, starting with \(skipped.name))"
            return StoreError(
                code: .damaged,
                message: "\(origin.name) is damaged (\(origin.problem ?? "unreadable"))\(newer). It is the "
                    + "directory's starting point (written by `taskwire import`), so no journal record holds its "
                    + "data and nothing can rebuild it. Refusing to start rather than start without it; restore "
                    + "the directory from a backup, or import the export again into an empty directory.",
                location: StorePaths.join(directory, origin.name))
        }
        guard lastRecord >= skipped.lastRecord else {
            return StoreError(
                code: .damaged,
                message: "\(skipped.name) is damaged (\(skipped.problem ?? "unreadable")) and the journal cannot "
                    + "rebuild it from \(fallbackDescription): it ends at record \(lastRecord), but the damaged "
                    + "snapshot covered records up to \(skipped.lastRecord). Refusing to start rather than lose "
                    + "them; restore the directory from a backup.",
                location: StorePaths.join(directory, skipped.name))
        }
        return nil
    }

    /// Damage met while falling back past a damaged snapshot, restated so that it names that snapshot.
    private func fallbackFailed(_ error: StoreError, directory: String) -> StoreError {
        // A refusal that already names a snapshot file stands as it is.
        guard let skipped = skippedSnapshot, error.location?.hasSuffix(".snap") != true else { return error }
        let detail = error.message.hasSuffix(".") ? String(error.message.dropLast()) : error.message
        return StoreError(
            code: .damaged,
            message: "\(skipped.name) is damaged (\(skipped.problem ?? "unreadable")) and the journal cannot "
                + "rebuild it from \(fallbackDescription). \(detail) (\(error.location ?? directory)). "
                + "Refusing to start rather than lose its records; restore the directory from a backup.",
            cause: error.cause, location: StorePaths.join(directory, skipped.name))
    }

    private mutating func chooseSnapshot(directory: String, fileSystem: any FileSystem, mode: Mode) throws(StoreError) {
        for index in snapshots.indices {
            if snapshot != nil && !mode.examineAll { break }
            do {
                let payload = try SnapshotFile.read(
                    path: StorePaths.join(directory, snapshots[index].name), fileSystem: fileSystem)
                snapshots[index].verified = true
                if snapshot == nil {
                    snapshot = payload
                    snapshotLastRecord = snapshots[index].lastRecord
                }
            } catch  where error.code == .damaged {
                snapshots[index].problem = error.message
                if snapshot == nil && skippedSnapshot == nil { skippedSnapshot = snapshots[index] }
            }
        }
    }

    private mutating func replay(directory: String, fileSystem: any FileSystem, mode: Mode) throws(StoreError) {
        lastRecord = snapshotLastRecord
        guard !segments.isEmpty else {
            if snapshot == nil && !snapshots.isEmpty {
                throw StoreError(
                    code: .damaged, message: "Every snapshot is damaged and there is no journal to replay.",
                    location: directory)
            }
            return
        }
        let needed = snapshotLastRecord + 1
        guard let start = segments.lastIndex(where: { $0.firstRecord <= needed }) else {
            throw StoreError(
                code: .damaged,
                message: "Records \(needed) to \(segments[0].firstRecord - 1) are missing: the journal starts after "
                    + (snapshot == nil ? "record 1 and no valid snapshot covers them." : "the snapshot ends."),
                location: StorePaths.join(directory, segments[0].name))
        }
        if mode.examineAll {
            for index in 0..<start {
                let file = try fileSystem.open(
                    StorePaths.join(directory, segments[index].name), flags: O_RDONLY, mode: 0)
                defer { fileSystem.close(file) }
                segments[index].scan = try SegmentScan.scan(fileSystem: fileSystem, file: file)
            }
        }
        for index in start..<segments.count {
            try replaySegment(at: index, directory: directory, fileSystem: fileSystem, mode: mode)
        }
    }

    private mutating func replaySegment(
        at index: Int, directory: String, fileSystem: any FileSystem, mode: Mode
    ) throws(StoreError) {
        let segment = segments[index]
        let path = StorePaths.join(directory, segment.name)
        let isLast = index == segments.count - 1
        let file = try fileSystem.open(path, flags: mode.repair && isLast ? O_RDWR : O_RDONLY, mode: 0)
        defer { fileSystem.close(file) }
        let skip = Int(clamping: snapshotLastRecord + 1 - min(segment.firstRecord, snapshotLastRecord + 1))
        var collected: [[UInt8]] = []
        let scan = try SegmentScan.scan(
            fileSystem: fileSystem, file: file, skip: skip,
            collect: mode.collect ? { collected.append(Array($0)) } : nil)
        segments[index].scan = scan
        records.append(contentsOf: collected)
        recordBytes += scan.collectedBytes
        let next = segment.firstRecord + UInt64(scan.records)
        if isLast, case .torn = scan.tail {
            // Refuse before truncating: an open that cannot rebuild a damaged snapshot changes nothing.
            lastRecord = max(snapshotLastRecord, next - 1)
            if let refusal = uncoveredSnapshot(directory: directory) { throw refusal }
        }
        switch scan.tail {
        case .clean:
            break
        case .damaged(let offset):
            throw StoreError(
                code: .damaged,
                message: "The journal is damaged: an invalid record is followed by valid ones, so durable data "
                    + "was lost or corrupted. Refusing to continue rather than drop it.",
                location: "\(path) at \(offset)")
        case .torn(let range):
            guard isLast else {
                throw StoreError(
                    code: .damaged,
                    message: "A journal segment that is not the newest ends with an incomplete record.",
                    location: "\(path) at \(range.lowerBound)")
            }
            tornTail = (segment.name, range)
            let action = mode.repair ? "dropped" : "would drop"
            warnings.append(
                "\(segment.name): \(action) an incomplete last record at bytes \(range.lowerBound)..<\(range.upperBound) "
                    + "(a write interrupted by a crash; it was never acknowledged).")
            if mode.repair {
                try fileSystem.truncate(file, length: range.lowerBound)
                try fileSystem.syncData(file)
            }
        }
        if !isLast && segments[index + 1].firstRecord != next {
            throw StoreError(
                code: .damaged,
                message: "Journal records are missing or duplicated: \(segment.name) ends before record \(next) "
                    + "but the next segment starts at record \(segments[index + 1].firstRecord).",
                location: StorePaths.join(directory, segments[index + 1].name))
        }
        if isLast { lastRecord = max(snapshotLastRecord, next - 1) }
    }
}
