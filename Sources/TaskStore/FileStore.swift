import Glibc
import Locking

/// The data directory: a locked directory holding an append-only journal, snapshots and blobs.
///
/// `append` only copies the framed record into a pending buffer under a short lock and wakes the writer
/// thread. The writer takes everything pending, writes it with one `pwrite` loop, makes it durable with one
/// `fdatasync` (group commit) and completes every ticket it covers, in append order. A failed write or sync
/// is never retried: the store enters the failed state, fails every waiting ticket and refuses later appends.
/// Journal space is reserved ahead (`posix_fallocate`), so a full disk refuses an append before the engine
/// applies the change. Snapshots are written on their own thread while appends continue into a new segment.
package final class FileStore: Store {
    /// The data directory.
    package let directory: String
    /// The options the store was opened with.
    package let options: Options
    let fileSystem: any FileSystem
    private let lockFile: OpenFile
    private let state: Mutex<State>
    private let wakeup = Wakeup()
    /// The last record recovery found; ``writeRecoverySnapshot(_:)`` covers exactly that far.
    private let recoveredLastRecord: UInt64

    /// A snapshot requested by the engine, waiting for the writer to reach its boundary.
    private struct SnapshotRequest {
        /// The offset in the pending buffer where records after the boundary start.
        var pendingOffset: Int
        /// The last record the snapshot covers.
        var lastRecord: UInt64
        /// Whether records after the boundary go to a new segment (false when the current one starts there).
        var rotates: Bool
        var encode: @Sendable () -> [UInt8]
    }

    /// A suspended `CommitTicket.wait()` or `flush()`.
    private typealias Waiter = DurabilityWaiter

    private struct State {
        var pending: [UInt8] = []
        var snapshotRequest: SnapshotRequest?
        var lastAppended: UInt64
        /// Records up to here have been written (`write(2)`).
        var written: UInt64
        /// Records up to here have been `fdatasync`'d.
        var synced: UInt64
        /// Tickets up to here complete: `synced` with `.always`, `written` otherwise.
        var acknowledged: UInt64
        var waiters: [Waiter] = []
        /// `flush()` callers, each with the writer cycle it must wait past.
        var flushWaiters: [Waiter] = []
        /// Incremented each time the writer takes the pending buffer.
        var cycle: UInt64 = 0
        var failure: StoreError?
        var closing = false
        /// ``simulateCrash(releasing:)`` stopped the store as a killed process would stop.
        var crashed = false
        /// The segment `journal.manifest` names on disk; compaction never deletes it, so the manifest stays
        /// true even when updating it failed (a full disk) and it still names an older segment.
        var manifestSegment: UInt64?
        /// The writer thread has exited (after `close()`).
        var stopped = false
        var recovered: RecoveredState?

        /// Counts segments; a snapshot that rotates starts a new generation.
        var generation = 0
        /// The first record number of the newest segment.
        var segmentFirstRecord: UInt64
        /// Bytes reserved in the newest segment (its size after `posix_fallocate`).
        var allocated: Int64
        /// Bytes of the newest segment promised to accepted appends.
        var claimed: Int64
        /// The last attempt to extend the reserve failed (the disk is full).
        var reserveExhausted = false
        /// An append was refused: the writer should try to extend the reserve again now.
        var retryReserve = false
        /// The size of the preallocated next segment, once it exists, so a snapshot can rotate without
        /// waiting for the disk.
        var spareSize: Int64?
        /// The largest append refused for lack of reserved space since the reserve was last extended: the
        /// writer reserves at least that much, so a write that fits on the disk is not refused twice.
        var refusedFrame: Int64 = 0
        /// A full disk was reported (``noteDiskFull(_:doing:)``) and space has not come back since.
        var diskFullReported = false

        var snapshotRunning = false
        var snapshotThread: WorkerThread?
        var writerThread: WorkerThread?
        /// The newest snapshot known to be durable (nil before the first one).
        var lastGoodSnapshot: UInt64?
        var recordsSinceSnapshot: Int
        var bytesSinceSnapshot: Int
    }

    /// What the writer thread owns; no other thread touches it while the writer runs.
    private struct WriterContext {
        var current: OpenFile
        var writeOffset: Int64
        var generation: Int
        var spare: OpenFile?
        /// The length of the last reservation; less than half of it left triggers the next one.
        var reserveLength: Int64
        /// The last attempt to prepare the spare found the disk full: retry on the reserve's schedule only.
        var spareFailed = false
        var unsynced = false
        var lastSync = ContinuousClock.now
        var lastReserveAttempt = ContinuousClock.now
    }

    private init(
        directory: String, options: Options, lockFile: OpenFile, recovery: Recovery, segmentFirstRecord: UInt64,
        allocated: Int64, claimed: Int64, reserveExhausted: Bool, spareSize: Int64?
    ) {
        self.directory = directory
        self.options = options
        self.fileSystem = options.fileSystem
        self.lockFile = lockFile
        let last = recovery.lastRecord
        self.recoveredLastRecord = last
        let overdue =
            recovery.snapshotInterrupted
            && (recovery.records.count >= options.snapshotRecordThreshold
                || recovery.recordBytes >= options.snapshotByteThreshold)
        var recovered = RecoveredState(
            snapshot: recovery.snapshot, records: recovery.records, warnings: recovery.warnings)
        recovered.snapshotBeforeServing = overdue
        self.state = Mutex(
            State(
                lastAppended: last, written: last, synced: last, acknowledged: last,
                recovered: recovered,
                segmentFirstRecord: segmentFirstRecord, allocated: allocated, claimed: claimed,
                reserveExhausted: reserveExhausted, spareSize: spareSize,
                lastGoodSnapshot: recovery.snapshot == nil ? nil : recovery.snapshotLastRecord,
                recordsSinceSnapshot: recovery.records.count, bytesSinceSnapshot: recovery.recordBytes))
    }

    // MARK: Opening

    /// Opens (creating it with mode 0700 if missing) and locks the data directory, and recovers its contents.
    ///
    /// A torn last record is truncated with a warning (see ``recover()``). Throws ``StoreError/Code/locked``
    /// when another open store holds the directory, ``StoreError/Code/damaged`` when durable data is damaged,
    /// and ``StoreError/Code/io`` when the directory cannot be read or written.
    package static func open(directory: String, options: Options = Options()) throws(StoreError) -> FileStore {
        let fileSystem = options.fileSystem
        try fileSystem.makeDirectory(directory, mode: 0o700)
        let lockFile = try fileSystem.open(
            StorePaths.join(directory, StorePaths.lock), flags: O_RDWR | O_CREAT, mode: 0o600)
        do throws(StoreError) {
            guard try fileSystem.tryLock(lockFile, exclusive: true) else {
                throw StoreError(
                    code: .locked,
                    message: "The data directory \(directory) is in use by another taskwire process (its LOCK file "
                        + "is held). Stop that server or choose another directory.",
                    location: StorePaths.join(directory, StorePaths.lock))
            }
            return try openLocked(directory: directory, options: options, lockFile: lockFile)
        } catch {
            fileSystem.close(lockFile)
            throw error
        }
    }

    private static func openLocked(
        directory: String, options: Options, lockFile: OpenFile
    ) throws(StoreError) -> FileStore {
        let fileSystem = options.fileSystem
        let recovery = try Recovery.run(
            directory: directory, fileSystem: fileSystem, mode: .init(collect: true, repair: true, examineAll: false))
        for name in recovery.leftovers { try fileSystem.remove(StorePaths.join(directory, name)) }

        let current: OpenFile
        let writeOffset: Int64
        let firstRecord: UInt64
        if let last = recovery.segments.last, let scan = last.scan,
            last.firstRecord + UInt64(scan.records) == recovery.lastRecord + 1
        {
            firstRecord = last.firstRecord
            current = try fileSystem.open(StorePaths.join(directory, last.name), flags: O_RDWR, mode: 0)
            writeOffset = scan.validEnd
        } else {
            // No journal yet, or it ends before the snapshot's boundary: start a segment after the boundary.
            firstRecord = recovery.lastRecord + 1
            current = try fileSystem.open(
                StorePaths.join(directory, StorePaths.segmentName(firstRecord: firstRecord)),
                flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o600)
            writeOffset = 0
        }
        var spare: OpenFile?
        do throws(StoreError) {
            var allocated = try fileSystem.size(of: current)
            var exhausted = false
            var full: StoreError?
            let wanted = reserveLength(options: options, directory: directory)
            if allocated - writeOffset < wanted / 2 {
                switch try reserve(
                    current, offset: writeOffset, wanted: wanted, minimum: pageSize, fileSystem: fileSystem)
                {
                case .reserved(let length): allocated = max(allocated, writeOffset + length)
                case .full(let error):
                    exhausted = true
                    full = error
                }
            }
            var spareSize: Int64?
            switch try makeSpare(
                directory: directory, fileSystem: fileSystem,
                size: reserveLength(options: options, directory: directory))
            {
            case .ready(let file, let size):
                spare = file
                spareSize = size
            case .full(let error): full = full ?? error
            }
            try fileSystem.syncDirectory(directory)
            var manifestSegment: UInt64?
            if case .newestSegment(let named) = recovery.manifest { manifestSegment = named }
            var manifestFailure: StoreError?
            if manifestSegment != firstRecord {
                do {
                    try JournalManifest.write(
                        newestSegmentFirstRecord: firstRecord, directory: directory, fileSystem: fileSystem)
                    manifestSegment = firstRecord
                } catch {
                    manifestFailure = error
                }
            }
            let store = FileStore(
                directory: directory, options: options, lockFile: lockFile, recovery: recovery,
                segmentFirstRecord: firstRecord, allocated: allocated, claimed: writeOffset,
                reserveExhausted: exhausted, spareSize: spareSize)
            store.state.withLock { $0.manifestSegment = manifestSegment }
            if let manifestFailure { store.manifestNotUpdated(manifestFailure) }
            if let full { store.noteDiskFull(full, doing: "reserving journal space at start") }
            let context = WriterContext(
                current: current, writeOffset: writeOffset, generation: 0, spare: spare, reserveLength: wanted)
            let thread = try WorkerThread(name: "store-writer") { store.runWriter(context) }
            store.state.withLock { $0.writerThread = thread }
            return store
        } catch {
            fileSystem.close(current)
            if let spare { fileSystem.close(spare) }
            throw error
        }
    }

    /// The smallest reservation: one page.
    private static let pageSize: Int64 = 4096

    /// How much journal space to reserve at a time: the configured chunk, but never more than a quarter of
    /// the space left on the volume, so a small disk is not refused its first write while it has room.
    static func reserveLength(options: Options, directory: String) -> Int64 {
        let chunk = Int64(max(Int(pageSize), options.preallocationChunk))
        guard let free = options.fileSystem.availableSpace(directory) else { return chunk }
        return max(pageSize, min(chunk, free / 4 / pageSize * pageSize))
    }

    /// What a reservation achieved.
    private enum Reservation {
        case reserved(Int64)
        /// Not even the minimum fits; the last refusal, for the log.
        case full(StoreError)
    }

    /// Reserves `wanted` bytes at `offset`, or when the disk has less room, as much of it as fits, halving down
    /// to `minimum`. Errors other than a full disk throw.
    private static func reserve(
        _ file: OpenFile, offset: Int64, wanted: Int64, minimum: Int64, fileSystem: any FileSystem
    ) throws(StoreError) -> Reservation {
        var length = max(wanted, minimum)
        while true {
            do {
                try fileSystem.allocate(file, offset: offset, length: length)
                return .reserved(length)
            } catch  where error.code == .diskFull {
                if length <= minimum { return .full(error) }
                length = max(minimum, length / 2 / pageSize * pageSize)
            }
        }
    }

    /// What preparing the next segment achieved.
    private enum Spare {
        case ready(OpenFile, size: Int64)
        case full(StoreError)
    }

    /// Creates the preallocated next segment, smaller than `size` when the disk has less room.
    private static func makeSpare(
        directory: String, fileSystem: any FileSystem, size: Int64
    ) throws(StoreError) -> Spare {
        let path = StorePaths.join(directory, StorePaths.spareSegment)
        let file = try fileSystem.open(path, flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o600)
        do {
            switch try reserve(file, offset: 0, wanted: size, minimum: pageSize, fileSystem: fileSystem) {
            case .reserved(let length): return .ready(file, size: length)
            case .full(let error):
                fileSystem.close(file)
                try? fileSystem.remove(path)
                return .full(error)
            }
        } catch {
            fileSystem.close(file)
            try? fileSystem.remove(path)
            throw error
        }
    }

    /// A manifest that could not be replaced still names an older segment that exists (and that compaction
    /// keeps), so it stays true: only a deleted newest segment goes unnoticed until the next update.
    private func manifestNotUpdated(_ error: StoreError) {
        if error.code == .diskFull {
            noteDiskFull(error, doing: "updating \(StorePaths.manifest)")
        } else {
            options.onWarning(
                "Could not update \(StorePaths.manifest); it names an older segment until the next one: \(error)")
        }
    }

    /// Logs a full disk once when it starts, with the file and the failing call, however many writes it
    /// refuses afterwards; ``noteSpaceAvailable()`` logs its end.
    private func noteDiskFull(_ error: StoreError, doing action: String) {
        let first = state.withLock { state in
            defer { state.diskFullReported = true }
            return !state.diskFullReported
        }
        guard first else { return }
        options.onWarning(
            "The disk is full (\(action): \(error.location ?? directory): \(error.cause ?? error.message)). Writes are "
                + "refused until space is freed; every write answered so far is kept. The store retries every second.")
    }

    /// Logs that space came back after ``noteDiskFull(_:doing:)``, once.
    private func noteSpaceAvailable() {
        let recovered = state.withLock { state in
            defer { state.diskFullReported = false }
            return state.diskFullReported
        }
        if recovered { options.onWarning("Disk space is available again in \(directory): writes are accepted again.") }
    }

    // MARK: Store

    /// Returns what ``open(directory:options:)`` recovered, once; later calls return an empty state.
    ///
    /// `warnings` names every repair: a torn last record that was truncated (file and byte range) and a damaged
    /// snapshot that was skipped in favour of the previous one.
    package func recover() throws(StoreError) -> RecoveredState {
        state.withLock { state in
            defer { state.recovered = nil }
            return state.recovered ?? RecoveredState()
        }
    }

    /// Copies the framed record into the pending buffer under a short lock and wakes the writer; never blocks
    /// on I/O. Throws `diskFull` (nothing queued) when the reserve is exhausted, `failed` after a failed
    /// write or sync, `closed` after ``close()``.
    package func append(_ record: [UInt8]) throws(StoreError) -> CommitTicket {
        guard record.count <= JournalFrame.maxPayload else {
            throw StoreError(code: .io, message: "A journal record of \(record.count) bytes is too large.")
        }
        let crc = record.withUnsafeBytes { JournalFrame.checksum(of: $0) }
        let frameSize = JournalFrame.headerSize + record.count
        let outcome: Result<UInt64, StoreError> = state.withLock { state in
            if let failure = state.failure { return .failure(failure) }
            if state.closing { return .failure(StoreError(code: .closed, message: "The store is closed.")) }
            if state.allocated - state.claimed < Int64(frameSize) && state.reserveExhausted {
                state.retryReserve = true
                state.refusedFrame = max(state.refusedFrame, Int64(frameSize))
                return .failure(
                    StoreError(
                        code: .diskFull,
                        message: "The disk is full: the journal has no reserved space left, so the change was refused.",
                        location: directory))
            }
            state.claimed += Int64(frameSize)
            JournalFrame.append(record, crc: crc, to: &state.pending)
            state.lastAppended += 1
            state.recordsSinceSnapshot += 1
            state.bytesSinceSnapshot += frameSize
            return .success(state.lastAppended)
        }
        wakeup.signal()
        let number = try outcome.get()
        return ticket(for: number)
    }

    private func ticket(for record: UInt64) -> CommitTicket {
        CommitTicket(
            wait: { [self] () async throws(StoreError) in try await waitUntilAcknowledged(record) },
            notify: { [self] callback in notifyWhenAcknowledged(record, callback) }
        )
    }

    /// Runs `callback` once `record` is acknowledged (or the store failed or closed): at once on this thread
    /// when that is already decided, else on the writer thread right after the sync that covers it.
    private func notifyWhenAcknowledged(
        _ record: UInt64, _ callback: @escaping @Sendable (Result<Void, StoreError>) -> Void
    ) {
        let immediate: Result<Void, StoreError>? = state.withLock { state in
            if state.acknowledged >= record { return .success(()) }
            if let failure = state.failure { return .failure(failure) }
            if state.stopped { return .failure(StoreError(code: .closed, message: "The store is closed.")) }
            state.waiters.append(Waiter(record: record, callback: callback))
            return nil
        }
        if let immediate { callback(immediate) }
    }

    package func barrier() -> CommitTicket {
        ticket(for: state.withLock { $0.lastAppended })
    }

    /// Records appended since the newest snapshot was requested (or since recovery).
    package var recordsSinceSnapshot: Int { state.withLock { $0.recordsSinceSnapshot } }

    /// The journal bytes appended since the newest snapshot.
    package var bytesSinceSnapshot: Int { state.withLock { $0.bytesSinceSnapshot } }

    /// Whether the journal has grown past a threshold of ``Options`` since the newest snapshot.
    package var snapshotDue: Bool {
        state.withLock {
            $0.recordsSinceSnapshot >= options.snapshotRecordThreshold
                || $0.bytesSinceSnapshot >= options.snapshotByteThreshold
        }
    }

    /// The failure that stopped the store, if a write or fsync failed; the server must then exit non-zero.
    package var failure: StoreError? { state.withLock { $0.failure } }

    /// Whether a snapshot is being written right now.
    package var snapshotInProgress: Bool { state.withLock { $0.snapshotRunning || $0.snapshotRequest != nil } }

    /// Starts a snapshot of every record appended so far; ignored while one runs, when nothing was appended
    /// since the last one, or while the disk is too full to prepare the next journal segment.
    @discardableResult
    package func snapshot(encode: @escaping @Sendable () -> [UInt8]) -> Bool {
        let started: Bool = state.withLock { state in
            guard !state.snapshotRunning, state.snapshotRequest == nil, !state.closing, state.failure == nil,
                state.recordsSinceSnapshot > 0
            else { return false }
            let rotates = state.lastAppended + 1 != state.segmentFirstRecord
            if rotates {
                guard let spareSize = state.spareSize else { return false }
                state.spareSize = nil
                state.generation += 1
                state.segmentFirstRecord = state.lastAppended + 1
                state.allocated = spareSize
                state.claimed = 0
            }
            state.snapshotRunning = true
            state.snapshotRequest = SnapshotRequest(
                pendingOffset: state.pending.count, lastRecord: state.lastAppended, rotates: rotates, encode: encode)
            state.recordsSinceSnapshot = 0
            state.bytesSinceSnapshot = 0
            return true
        }
        if started { wakeup.signal() }
        return started
    }

    /// Makes everything appended so far durable (an `fdatasync` even with `batched` or `none`), after one
    /// full writer cycle, which also retries a reserve extension that failed for lack of space.
    package func flush() async throws(StoreError) {
        let result: Result<Void, StoreError> = await withCheckedContinuation { continuation in
            let immediate: Result<Void, StoreError>? = state.withLock { state in
                if let failure = state.failure { return .failure(failure) }
                if state.stopped { return .success(()) }
                state.retryReserve = true
                state.flushWaiters.append(Waiter(record: state.cycle, continuation: continuation))
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) } else { wakeup.signal() }
        }
        try result.get()
    }

    /// Writes and syncs everything pending, waits for a running snapshot, and releases the lock. Blocking.
    package func close() {
        let thread: WorkerThread? = state.withLock { state in
            state.closing = true
            defer { state.writerThread = nil }
            return state.writerThread
        }
        guard let thread else { return }
        wakeup.signal()
        thread.join()
        stopAfterWriter(failingWaitersWith: "The store is closed.")
    }

    /// Once the writer thread ended: waits for a running snapshot, fails every waiter left with `message`,
    /// and releases the lock.
    private func stopAfterWriter(failingWaitersWith message: String) {
        let (snapshotThread, leftovers): (WorkerThread?, [Waiter]) = state.withLock { state in
            state.stopped = true
            defer {
                state.snapshotThread = nil
                state.waiters = []
                state.flushWaiters = []
            }
            return (state.snapshotThread, state.waiters + state.flushWaiters)
        }
        snapshotThread?.join()
        for waiter in leftovers { waiter.complete(.failure(StoreError(code: .closed, message: message))) }
        fileSystem.unlock(lockFile)
        fileSystem.close(lockFile)
    }

    /// Stops the store as a killed process stops, for tests of what a crash leaves: nothing pending is
    /// written, nothing is synced, truncated or removed, a running snapshot is never written (`release` is
    /// called once the writer stopped, to let a blocked `encode` return), and the lock is released.
    func simulateCrash(releasing release: () -> Void = {}) {
        let thread: WorkerThread? = state.withLock { state in
            state.crashed = true
            state.closing = true
            defer { state.writerThread = nil }
            return state.writerThread
        }
        wakeup.signal()
        thread?.join()
        release()
        stopAfterWriter(failingWaitersWith: "The store crashed.")
    }

    private func waitUntilAcknowledged(_ record: UInt64) async throws(StoreError) {
        if let ready = acknowledgement(of: record) { return try ready.get() }
        let result: Result<Void, StoreError> = await withCheckedContinuation { continuation in
            let immediate: Result<Void, StoreError>? = state.withLock { state in
                if state.acknowledged >= record { return .success(()) }
                if let failure = state.failure { return .failure(failure) }
                if state.stopped {
                    return .failure(StoreError(code: .closed, message: "The store is closed."))
                }
                state.waiters.append(Waiter(record: record, continuation: continuation))
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
        try result.get()
    }

    private func acknowledgement(of record: UInt64) -> Result<Void, StoreError>? {
        state.withLock { state in
            if state.acknowledged >= record { return .success(()) }
            if let failure = state.failure { return .failure(failure) }
            return nil
        }
    }

    // MARK: The writer thread

    /// What the writer took from the shared state at the start of a cycle.
    private struct Batch {
        var snapshotRequest: SnapshotRequest?
        var lastRecord: UInt64
        var closing: Bool
        var failed: Bool
        var flushRequested: Bool
        var cycle: UInt64
    }

    private func runWriter(_ initial: WriterContext) {
        var context = initial
        var buffer: [UInt8] = []
        while true {
            wakeup.wait(timeoutNanoseconds: writerTimeout(context))
            if state.withLock({ $0.crashed }) {
                // Like a kill: what is pending was never written, and the files stay as they are.
                fileSystem.close(context.current)
                if let spare = context.spare { fileSystem.close(spare) }
                return
            }
            let batch: Batch = state.withLock { state in
                swap(&state.pending, &buffer)
                defer { state.snapshotRequest = nil }
                state.cycle += 1
                return Batch(
                    snapshotRequest: state.snapshotRequest, lastRecord: state.lastAppended, closing: state.closing,
                    failed: state.failure != nil, flushRequested: !state.flushWaiters.isEmpty, cycle: state.cycle)
            }
            if !batch.failed {
                do {
                    try runCycle(&context, buffer: buffer, batch: batch)
                } catch {
                    fail(error)
                }
            }
            buffer.removeAll(keepingCapacity: true)
            if batch.closing { break }
        }
        fileSystem.close(context.current)
        if let spare = context.spare {
            fileSystem.close(spare)
            try? fileSystem.remove(spare.path)
        }
    }

    /// How long the writer may sleep: until the next batched sync, the next reserve retry, or forever.
    private func writerTimeout(_ context: WriterContext) -> Int64? {
        let exhausted = state.withLock { $0.reserveExhausted || $0.spareSize == nil }
        var timeout: Duration?
        if options.durability == .batched && context.unsynced {
            timeout = max(.zero, options.batchInterval - context.lastSync.duration(to: .now))
        }
        if exhausted {
            let retry = max(.zero, Self.reserveRetryInterval - context.lastReserveAttempt.duration(to: .now))
            timeout = min(timeout ?? retry, retry)
        }
        guard let timeout else { return nil }
        let parts = timeout.components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }

    /// A duration in whole milliseconds, for the log.
    private static func milliseconds(_ duration: Duration) -> String {
        String(duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    private static let reserveRetryInterval = Duration.seconds(1)

    private func runCycle(_ context: inout WriterContext, buffer: [UInt8], batch: Batch) throws(StoreError) {
        if let request = batch.snapshotRequest {
            try writeAll(&context, buffer[0..<request.pendingOffset])
            if request.rotates { try rotate(&context, after: request.lastRecord) }
            startSnapshot(request)
            try writeAll(&context, buffer[request.pendingOffset...])
        } else {
            try writeAll(&context, buffer[...])
        }
        maintainReserve(&context, force: batch.flushRequested)
        let mustSync: Bool
        switch options.durability {
        case .always: mustSync = true
        case .batched:
            mustSync =
                batch.flushRequested || batch.closing || context.lastSync.duration(to: .now) >= options.batchInterval
        case .none: mustSync = batch.flushRequested || batch.closing
        }
        if mustSync && context.unsynced {
            try fileSystem.syncData(context.current)
            context.unsynced = false
            context.lastSync = .now
        }
        publish(written: batch.lastRecord, synced: context.unsynced ? nil : batch.lastRecord, cycle: batch.cycle)
    }

    private func writeAll(_ context: inout WriterContext, _ bytes: ArraySlice<UInt8>) throws(StoreError) {
        guard !bytes.isEmpty else { return }
        var failure: StoreError?
        bytes.withUnsafeBytes { raw in
            do throws(StoreError) {
                try fileSystem.write(context.current, raw, at: context.writeOffset)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        context.writeOffset += Int64(bytes.count)
        context.unsynced = true
    }

    /// Makes the current segment durable and switches to the spare one, named after the next record.
    private func rotate(_ context: inout WriterContext, after lastRecord: UInt64) throws(StoreError) {
        if context.unsynced {
            try fileSystem.syncData(context.current)
            context.unsynced = false
            context.lastSync = .now
        }
        publish(written: lastRecord, synced: lastRecord, cycle: nil)
        // Give back the unused reserve; if this is lost in a crash the zeros read as the end of the segment.
        guard let spare = context.spare else {
            throw StoreError(code: .io, message: "The next journal segment was not prepared.", location: directory)
        }
        try? fileSystem.truncate(context.current, length: context.writeOffset)
        // Closed exactly once: from here on the writer's current segment is the spare.
        fileSystem.close(context.current)
        let path = StorePaths.join(directory, StorePaths.segmentName(firstRecord: lastRecord + 1))
        context.spare = nil
        context.current = spare
        try fileSystem.rename(spare.path, to: path)
        context.current.path = path
        try fileSystem.syncDirectory(directory)
        // Only now that the segment is in place: a manifest naming a file that is not there yet means damage.
        do {
            try JournalManifest.write(
                newestSegmentFirstRecord: lastRecord + 1, directory: directory, fileSystem: fileSystem)
            state.withLock { $0.manifestSegment = lastRecord + 1 }
        } catch {
            manifestNotUpdated(error)
        }
        context.writeOffset = 0
        context.generation += 1
        context.reserveLength = state.withLock { $0.allocated }
    }

    /// Extends the newest segment's reserve when less than half a chunk is left, and prepares the spare
    /// segment. A full disk is not a failure: appends are refused until space returns.
    private func maintainReserve(_ context: inout WriterContext, force: Bool) {
        let (generation, allocated, claimed, exhausted, retry, spareReady, refused) = state.withLock {
            (
                $0.generation, $0.allocated, $0.claimed, $0.reserveExhausted, $0.retryReserve, $0.spareSize != nil,
                $0.refusedFrame
            )
        }
        let mayRetry = force || retry || context.lastReserveAttempt.duration(to: .now) >= Self.reserveRetryInterval
        // The last reservation's length decides when to extend, so the common cycle makes no system call.
        if generation == context.generation && allocated - claimed < context.reserveLength / 2
            && (!exhausted || mayRetry)
        {
            context.reserveLength = Self.reserveLength(options: options, directory: directory)
            let shortfall = max(0, claimed - allocated)
            context.lastReserveAttempt = .now
            do {
                let outcome = try Self.reserve(
                    context.current, offset: allocated, wanted: context.reserveLength + shortfall,
                    minimum: max(Self.pageSize, claimed + refused - allocated), fileSystem: fileSystem)
                switch outcome {
                case .reserved(let length):
                    state.withLock { state in
                        if state.generation == generation { state.allocated += length }
                        state.reserveExhausted = false
                        state.retryReserve = false
                        state.refusedFrame = 0
                    }
                    noteSpaceAvailable()
                case .full(let error):
                    state.withLock { state in
                        state.reserveExhausted = true
                        state.retryReserve = false
                    }
                    noteDiskFull(error, doing: "reserving journal space")
                }
            } catch {
                state.withLock { state in
                    state.reserveExhausted = true
                    state.retryReserve = false
                }
                options.onWarning("Could not reserve journal space: \(error)")
            }
        }
        if !spareReady && context.spare == nil && ((!exhausted && !context.spareFailed) || mayRetry) {
            context.lastReserveAttempt = .now
            do {
                let size = Self.reserveLength(options: options, directory: directory)
                switch try Self.makeSpare(directory: directory, fileSystem: fileSystem, size: size) {
                case .ready(let file, let size):
                    context.spare = file
                    context.spareFailed = false
                    state.withLock { $0.spareSize = size }
                    noteSpaceAvailable()
                case .full(let error):
                    context.spareFailed = true
                    noteDiskFull(error, doing: "preparing the next journal segment")
                }
            } catch {
                options.onWarning("Could not prepare the next journal segment: \(error)")
            }
        }
    }

    /// Records what the writer achieved and completes the tickets and flushes it covers.
    private func publish(written: UInt64, synced: UInt64?, cycle: UInt64?) {
        var ready: [Waiter] = []
        state.withLock { state in
            state.written = max(state.written, written)
            if let synced { state.synced = max(state.synced, synced) }
            state.acknowledged = options.durability == .always ? state.synced : state.written
            let acknowledged = state.acknowledged
            if state.waiters.contains(where: { $0.record <= acknowledged }) {
                ready = state.waiters.filter { $0.record <= acknowledged }
                state.waiters.removeAll { $0.record <= acknowledged }
            }
            if let cycle, synced != nil {
                ready += state.flushWaiters.filter { $0.record < cycle }
                state.flushWaiters.removeAll { $0.record < cycle }
            }
        }
        for waiter in ready { waiter.complete(.success(())) }
    }

    /// Enters the failed state: a write or fsync failed and must never be retried (the kernel may have
    /// dropped the data while marking the pages clean), so everything not yet durable is refused.
    private func fail(_ error: StoreError) {
        let failure = StoreError(
            code: .failed,
            message: "Writing the journal failed, so the store stopped accepting writes; restart to recover "
                + "from disk. \(error.message)",
            cause: error.cause, location: error.location)
        let waiters: [Waiter]? = state.withLock { state in
            guard state.failure == nil else { return nil }
            state.failure = failure
            state.pending = []
            if state.snapshotRequest != nil {
                state.snapshotRequest = nil
                state.snapshotRunning = false
            }
            defer {
                state.waiters = []
                state.flushWaiters = []
            }
            return state.waiters + state.flushWaiters
        }
        guard let waiters else { return }
        for waiter in waiters { waiter.complete(.failure(failure)) }
        options.onWarning(failure.description)
        options.onFailure?(failure)
    }

    // MARK: Snapshots

    private func startSnapshot(_ request: SnapshotRequest) {
        let previous = state.withLock { state in
            defer { state.snapshotThread = nil }
            return state.snapshotThread
        }
        previous?.join()
        do {
            let thread = try WorkerThread(name: "store-snapshot") { [self] in runSnapshot(request) }
            state.withLock { $0.snapshotThread = thread }
        } catch {
            options.onWarning("Could not start the snapshot thread: \(error)")
            state.withLock { $0.snapshotRunning = false }
        }
    }

    package func writeInitialSnapshot(_ bytes: [UInt8]) throws(StoreError) {
        let empty = state.withLock { state in
            state.lastAppended == 0 && state.lastGoodSnapshot == nil && !state.snapshotRunning && !state.closing
        }
        guard empty else {
            throw StoreError(
                code: .io, message: "The data directory is not empty; import needs an empty one.", location: directory)
        }
        try SnapshotFile.write(bytes, lastRecord: 0, directory: directory, fileSystem: fileSystem)
        state.withLock { $0.lastGoodSnapshot = 0 }
    }

    /// Writes the snapshot of what recovery found before anything is appended, on the caller's thread.
    package func writeRecoverySnapshot(_ bytes: [UInt8]) throws(StoreError) {
        let refusal: StoreError? = state.withLock { state in
            guard state.lastAppended == recoveredLastRecord, !state.snapshotRunning, state.snapshotRequest == nil,
                !state.closing, state.failure == nil
            else {
                return StoreError(
                    code: .io, message: "A recovery snapshot must be written before the first append.",
                    location: directory)
            }
            state.snapshotRunning = true
            return nil
        }
        if let refusal { throw refusal }
        defer { state.withLock { $0.snapshotRunning = false } }
        do throws(StoreError) {
            try SnapshotFile.write(bytes, lastRecord: recoveredLastRecord, directory: directory, fileSystem: fileSystem)
            let previous = state.withLock { state in
                defer {
                    state.lastGoodSnapshot = recoveredLastRecord
                    state.recordsSinceSnapshot = 0
                    state.bytesSinceSnapshot = 0
                }
                return state.lastGoodSnapshot
            }
            try compact(keeping: recoveredLastRecord, fallback: previous)
        } catch {
            options.onWarning("The snapshot up to record \(recoveredLastRecord) at start was not completed: \(error)")
            throw error
        }
    }

    private func runSnapshot(_ request: SnapshotRequest) {
        let clock = ContinuousClock()
        let started = clock.now
        let payload = request.encode()
        let encoded = clock.now
        // A killed process writes nothing more; see simulateCrash(releasing:).
        if state.withLock({ $0.crashed }) { return }
        do {
            try SnapshotFile.write(
                payload, lastRecord: request.lastRecord, directory: directory, fileSystem: fileSystem)
            options.onInfo(
                "snapshot written",
                [
                    "last_record": String(request.lastRecord), "bytes": String(payload.count),
                    "encode_ms": Self.milliseconds(encoded - started),
                    "write_ms": Self.milliseconds(clock.now - encoded),
                ])
            let previous = state.withLock { state in
                defer { state.lastGoodSnapshot = request.lastRecord }
                return state.lastGoodSnapshot
            }
            try compact(keeping: request.lastRecord, fallback: previous)
        } catch  where error.code == .diskFull {
            noteDiskFull(error, doing: "writing the snapshot up to record \(request.lastRecord)")
        } catch {
            options.onWarning("The snapshot up to record \(request.lastRecord) was not completed: \(error)")
        }
        state.withLock { $0.snapshotRunning = false }
    }

    /// Deletes the segments the fallback no longer needs, then snapshots other than the newest and its fallback.
    ///
    /// Segments go first: a crash in between then leaves old snapshots beside a shorter journal, never a
    /// journal from record 1 without the snapshot up to record 0 (an import) that it was appended to, which
    /// recovery would take for a directory that started empty.
    private func compact(keeping newest: UInt64, fallback: UInt64?) throws(StoreError) {
        let names = try fileSystem.contentsOfDirectory(directory) ?? []
        if let fallback {
            let segments = names.compactMap { name in StorePaths.segmentFirstRecord(name).map { (name, $0) } }
                .sorted { $0.1 < $1.1 }
            let named = state.withLock { $0.manifestSegment }
            if let start = segments.lastIndex(where: { $0.1 <= fallback + 1 }) {
                for (name, first) in segments[..<start] where first != named {
                    try fileSystem.remove(StorePaths.join(directory, name))
                }
            }
        }
        for name in names {
            if let last = StorePaths.snapshotLastRecord(name), last != newest, last != fallback {
                try fileSystem.remove(StorePaths.join(directory, name))
            }
        }
    }
}
