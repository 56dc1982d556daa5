import Dispatch
import Glibc
import Locking
import TaskStore

/// A ``FileSystem`` over the real one that counts journal writes and syncs, remembers how far each file was
/// written and synced, and can fail the k-th journal write or sync, refuse space, or hold a sync.
final class FaultyFileSystem: FileSystem {
    struct Counters: Sendable {
        /// Successful writes to journal segments.
        var journalWrites = 0
        /// Successful `fdatasync` calls on journal segments.
        var journalSyncs = 0
        /// Per path: the end of the furthest write, and that end at the last successful sync.
        var writtenEnd: [String: Int64] = [:]
        var syncedEnd: [String: Int64] = [:]
        /// A sync is blocked in ``holdNextSync()``.
        var syncHeld = false
        var allocations = 0
        /// The destination of every rename, in order.
        var renames: [String] = []
    }

    private struct State {
        var counters = Counters()
        var failWriteNumber: Int?
        var failSyncNumber: Int?
        var writeAttempts = 0
        var syncAttempts = 0
        var noSpace = false
        /// The bytes `posix_fallocate` may still reserve, and what ``availableSpace(_:)`` reports; nil: unlimited.
        var freeSpace: Int64?
        var holdNextSync = false
        var watchers: [(predicate: @Sendable (Counters) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let real = SystemFileSystem()
    private let state = Mutex(State())
    private let gate = DispatchSemaphore(value: 0)

    var counters: Counters { state.withLock { $0.counters } }

    /// The destination of every rename so far, in order.
    var renames: [String] { counters.renames }

    /// Fails the `number`-th journal write from now (1 = the next), after writing half of its bytes.
    func failJournalWrite(number: Int) {
        state.withLock {
            $0.writeAttempts = 0
            $0.failWriteNumber = number
        }
    }

    /// Fails the `number`-th journal `fdatasync` from now (1 = the next) with EIO.
    func failJournalSync(number: Int) {
        state.withLock {
            $0.syncAttempts = 0
            $0.failSyncNumber = number
        }
    }

    /// Makes `posix_fallocate` fail with ENOSPC while `on`.
    func setNoSpace(_ on: Bool) { state.withLock { $0.noSpace = on } }

    /// Makes the volume hold `bytes` more (nil: unlimited): reservations beyond it fail with ENOSPC, and
    /// ``availableSpace(_:)`` reports what is left.
    func setFreeSpace(_ bytes: Int64?) { state.withLock { $0.freeSpace = bytes } }

    /// Blocks the next journal sync until ``releaseSync()``.
    func holdNextSync() { state.withLock { $0.holdNextSync = true } }

    func releaseSync() { gate.signal() }

    /// Returns once `predicate` holds for the counters.
    func wait(until predicate: @escaping @Sendable (Counters) -> Bool) async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                if predicate(state.counters) { return true }
                state.watchers.append((predicate, continuation))
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func update(_ change: (inout Counters) -> Void) {
        let ready = state.withLock { state in
            change(&state.counters)
            let counters = state.counters
            let ready = state.watchers.filter { $0.predicate(counters) }.map(\.continuation)
            state.watchers.removeAll { $0.predicate(counters) }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    private static func isJournal(_ file: OpenFile) -> Bool { file.path.contains("/journal-") }

    private static func injected(_ call: String, _ number: Int32, _ file: OpenFile) -> StoreError {
        StoreError(code: .io, message: "Injected failure.", cause: "\(call): errno \(number)", location: file.path)
    }

    func open(_ path: String, flags: Int32, mode: UInt32) throws(StoreError) -> OpenFile {
        try real.open(path, flags: flags, mode: mode)
    }

    func close(_ file: OpenFile) { real.close(file) }

    func write(_ file: OpenFile, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(StoreError) {
        guard Self.isJournal(file) else { return try real.write(file, bytes, at: offset) }
        let fail = state.withLock { state in
            state.writeAttempts += 1
            return state.writeAttempts == state.failWriteNumber
        }
        if fail {
            try real.write(file, UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count / 2)]), at: offset)
            throw Self.injected("pwrite", EIO, file)
        }
        try real.write(file, bytes, at: offset)
        update { counters in
            counters.journalWrites += 1
            counters.writtenEnd[file.path] = max(counters.writtenEnd[file.path] ?? 0, offset + Int64(bytes.count))
        }
    }

    func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(StoreError) -> Int
    {
        try real.read(file, into: buffer, at: offset)
    }

    func syncData(_ file: OpenFile) throws(StoreError) {
        guard Self.isJournal(file) else { return try real.syncData(file) }
        let (fail, hold) = state.withLock { state in
            state.syncAttempts += 1
            defer { state.holdNextSync = false }
            return (state.syncAttempts == state.failSyncNumber, state.holdNextSync)
        }
        if hold {
            update { $0.syncHeld = true }
            gate.wait()
            update { $0.syncHeld = false }
        }
        if fail { throw Self.injected("fdatasync", EIO, file) }
        try real.syncData(file)
        update { counters in
            counters.journalSyncs += 1
            counters.syncedEnd[file.path] = counters.writtenEnd[file.path] ?? 0
        }
    }

    func sync(_ file: OpenFile) throws(StoreError) { try real.sync(file) }

    func allocate(_ file: OpenFile, offset: Int64, length: Int64) throws(StoreError) {
        let refused = state.withLock { state in
            if state.noSpace { return true }
            guard let free = state.freeSpace else { return false }
            if length > free { return true }
            state.freeSpace = free - length
            return false
        }
        if refused {
            throw StoreError(
                code: .diskFull, message: "Injected full disk.", cause: "posix_fallocate: ENOSPC (errno 28)",
                location: file.path)
        }
        try real.allocate(file, offset: offset, length: length)
        update { $0.allocations += 1 }
    }

    func truncate(_ file: OpenFile, length: Int64) throws(StoreError) { try real.truncate(file, length: length) }
    func size(of file: OpenFile) throws(StoreError) -> Int64 { try real.size(of: file) }
    func tryLock(_ file: OpenFile, exclusive: Bool) throws(StoreError) -> Bool {
        try real.tryLock(file, exclusive: exclusive)
    }
    func rename(_ source: String, to destination: String) throws(StoreError) {
        try real.rename(source, to: destination)
        update { $0.renames.append(destination) }
    }
    func remove(_ path: String) throws(StoreError) { try real.remove(path) }
    func makeDirectory(_ path: String, mode: UInt32) throws(StoreError) { try real.makeDirectory(path, mode: mode) }
    func contentsOfDirectory(_ path: String) throws(StoreError) -> [String]? { try real.contentsOfDirectory(path) }
    func exists(_ path: String) -> Bool { real.exists(path) }
    func availableSpace(_ path: String) -> Int64? { state.withLock { $0.freeSpace } ?? real.availableSpace(path) }
}
