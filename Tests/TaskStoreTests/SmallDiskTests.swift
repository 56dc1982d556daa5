import Glibc
import Locking
import TestSupport
import Testing

@testable import TaskStore

/// A small volume gets a reservation that fits it, accepts writes while it has room, and its filling up
/// (and emptying) is logged once per change, not once per refused write.
/// Its tests open, fill and crash stores synchronously, so they run one at a time, holding at most one thread
/// of the concurrency pool.
@Suite(.serialized)
struct SmallDiskTests {
    /// A record of about 200 bytes.
    private func payload(_ number: Int) -> [UInt8] {
        Array("{\"record\":\(number),\"pad\":\"\(String(repeating: "x", count: 180))\"}".utf8)
    }

    /// Appends until the first refusal; returns the records accepted and the refusal.
    private func fill(_ store: FileStore, from first: Int) async throws -> (accepted: [Int], refusal: StoreError?) {
        var accepted: [Int] = []
        for number in first..<(first + 100_000) {
            do {
                let ticket = try store.append(payload(number))
                try await withTimeout { try await ticket.wait() }
                accepted.append(number)
            } catch let error as StoreError {
                return (accepted, error)
            }
        }
        return (accepted, nil)
    }

    private func options(_ fileSystem: any FileSystem, warnings: WarningLog) -> FileStore.Options {
        // `none` only to keep thousands of appends quick: the reserve works the same in every mode.
        var options = testOptions(fileSystem, durability: .none)
        options.preallocationChunk = 8 << 20
        options.onWarning = { line in warnings.append(line) }
        return options
    }

    @Test func aVolumeSmallerThanTheReserveAcceptsWritesUntilItIsFull() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FaultyFileSystem()
        fileSystem.setFreeSpace(2 << 20)
        let warnings = WarningLog()
        let store = try FileStore.open(directory: directory.path, options: options(fileSystem, warnings: warnings))

        let (accepted, refusal) = try await fill(store, from: 1)
        #expect(refusal?.code == .diskFull)
        #expect(accepted.first == 1, "the first write on a 2 MiB volume was refused")
        // Nearly all of the 2 MiB: the journal's share, with the spare segment's reserve set aside.
        let bytes = accepted.count * (JournalFrame.headerSize + payload(1).count)
        #expect(bytes >= 1 << 20, "only \(bytes) bytes accepted")
        #expect(store.failure == nil)
        for number in 0..<50 {
            #expect(throws: StoreError.self) { try store.append(payload(1_000_000 + number)) }
        }
        try await withTimeout { try await store.flush() }
        let full = warnings.lines.filter { $0.contains("The disk is full") }
        #expect(full.count == 1, "\(full)")
        #expect(full.first?.contains("ENOSPC") == true)
        #expect(full.first?.contains(directory.path) == true)

        // Space comes back: logged once, writes resume; it fills again: logged once more.
        fileSystem.setFreeSpace(256 << 10)
        try await withTimeout { try await store.flush() }
        let (more, again) = try await fill(store, from: accepted.count + 1)
        #expect(!more.isEmpty)
        #expect(again?.code == .diskFull)
        try await withTimeout { try await store.flush() }
        let log = warnings.lines
        #expect(log.filter { $0.contains("available again") }.count == 1, "\(log)")
        #expect(log.filter { $0.contains("The disk is full") }.count == 2, "\(log)")
        store.close()

        let (reopened, recovered) = try openAndRecover(directory)
        reopened.close()
        #expect(recovered.records == (accepted + more).map { payload($0) })
    }

    @Test func theReserveIsAQuarterOfTheFreeSpaceAtMost() {
        let fileSystem = FaultyFileSystem()
        var options = testOptions(fileSystem)
        options.preallocationChunk = 8 << 20
        fileSystem.setFreeSpace(2 << 20)
        #expect(FileStore.reserveLength(options: options, directory: "/") == 512 << 10)
        fileSystem.setFreeSpace(1 << 40)
        #expect(FileStore.reserveLength(options: options, directory: "/") == 8 << 20)
        fileSystem.setFreeSpace(1000)
        #expect(FileStore.reserveLength(options: options, directory: "/") == 4096)
    }

    @Test(.enabled(if: SmallVolume.canMount, "mounting a tmpfs needs root (CAP_SYS_ADMIN)"))
    func aRealTwoMebibyteVolumeAcceptsItsFirstWrites() async throws {
        let volume = try SmallVolume(bytes: 2 << 20)
        defer { volume.unmount() }
        let warnings = WarningLog()
        let store = try FileStore.open(
            directory: volume.path + "/data", options: options(SystemFileSystem(), warnings: warnings))
        let (accepted, refusal) = try await fill(store, from: 1)
        store.close()
        #expect(accepted.first == 1, "the first write on a 2 MiB volume was refused: \(String(describing: refusal))")
        #expect(refusal?.code == .diskFull)
        let bytes = accepted.count * (JournalFrame.headerSize + payload(1).count)
        #expect(bytes >= 1 << 20, "only \(bytes) bytes accepted")
        #expect(warnings.lines.filter { $0.contains("The disk is full") }.count == 1, "\(warnings.lines)")
        let reopened = try FileStore.open(directory: volume.path + "/data", options: testOptions())
        let recovered = try reopened.recover()
        reopened.close()
        #expect(recovered.records.count == accepted.count)
    }
}

/// The warnings a store logged, in order.
final class WarningLog: Sendable {
    private let storage = Mutex<[String]>([])

    func append(_ line: String) { storage.withLock { $0.append(line) } }

    var lines: [String] { storage.withLock { $0 } }
}

/// A tmpfs of a given size, mounted on a fresh directory.
struct SmallVolume {
    let directory: TemporaryDirectory
    var path: String { directory.path }

    init(bytes: Int) throws {
        directory = try TemporaryDirectory()
        guard mount("tmpfs", directory.path, "tmpfs", 0, "size=\(bytes),mode=0700") == 0 else {
            directory.remove()
            throw StoreError(code: .io, message: "mount failed", cause: String(cString: strerror(errno)))
        }
    }

    func unmount() {
        _ = umount2(directory.path, Int32(MNT_DETACH))
        directory.remove()
    }

    /// Whether this process may mount a tmpfs (root, outside a restricted container).
    static let canMount: Bool = {
        guard let volume = try? SmallVolume(bytes: 1 << 20) else { return false }
        volume.unmount()
        return true
    }()
}
