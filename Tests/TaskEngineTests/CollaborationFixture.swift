import JSON
import Locking
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// A user directory that knows a fixed set of names.
struct NamedUsers: UserDirectory {
    var names: [String: String]

    func profile(of userID: UserID) -> UserProfile? {
        names[userID.text].map { UserProfile(userID: userID, name: $0) }
    }
}

/// A store that behaves like this pass's store (``TestStore``) but can be told to fail blob writes.
final class BlobFailingStore: Store {
    let inner: any Store
    private let failBlobWrites = Mutex(false)

    init(on backend: TestStore.Backend = .thisPass) throws { inner = try TestStore.make(on: backend) }

    /// The memory store inside, whose records a test reads and whose next append it can fail.
    var memory: MemoryStore {
        get throws {
            try #require(inner as? MemoryStore, "the fixture of a test that reads the records must be on: .memory")
        }
    }

    func recover() throws(StoreError) -> RecoveredState { try inner.recover() }
    func append(_ record: [UInt8]) throws(StoreError) -> CommitTicket { try inner.append(record) }
    var recordsSinceSnapshot: Int { inner.recordsSinceSnapshot }
    var snapshotDue: Bool { inner.snapshotDue }
    func writeRecoverySnapshot(_ bytes: [UInt8]) throws(StoreError) { try inner.writeRecoverySnapshot(bytes) }
    func snapshot(encode: @escaping @Sendable () -> [UInt8]) -> Bool { inner.snapshot(encode: encode) }
    func barrier() -> CommitTicket { inner.barrier() }
    func close() { inner.close() }
    func writeInitialSnapshot(_ bytes: [UInt8]) throws(StoreError) { try inner.writeInitialSnapshot(bytes) }
    func blob(key: String) throws(StoreError) -> [UInt8]? { try inner.blob(key: key) }
    func deleteBlob(key: String) throws(StoreError) { try inner.deleteBlob(key: key) }
    func blobKeys() throws(StoreError) -> [String] { try inner.blobKeys() }

    func putBlob(key: String, bytes: [UInt8]) throws(StoreError) {
        if failBlobWrites.withLock({ $0 }) {
            throw StoreError(code: .io, message: "Cannot write the blob.", cause: "write: Input/output error")
        }
        try inner.putBlob(key: key, bytes: bytes)
    }

    /// Makes every later blob write fail (or succeed again).
    func setFailBlobWrites(_ fail: Bool) { failBlobWrites.withLock { $0 = fail } }
}

/// An engine on a store with a hand-driven clock at 2024-01-15T10:00:00Z and a directory that knows Jane.
struct CollaborationFixture {
    let store: BlobFailingStore
    let clock = ManualTimeSource("2024-01-15T10:00:00Z")
    let directory = NamedUsers(names: ["user456": "Jane Smith"])
    let engine: Engine

    init(
        maxAttachmentBytes: Int = 1 << 20, snapshotThreshold: Int = 100_000, store: BlobFailingStore? = nil
    )
        throws
    {
        self.store = try store ?? BlobFailingStore()
        engine = try Engine.open(
            store: self.store, clock: clock, directory: directory, snapshotThreshold: snapshotThreshold,
            maxAttachmentBytes: maxAttachmentBytes)
    }

    /// Returns once every change so far is durable, and so in the feed and with its subscribers, as it is
    /// before the server answers it.
    func durable() async throws { try await store.barrier().wait() }

    /// A second engine recovered from what a restart of the store would find (``TestStore.restarted(_:)``).
    func reopen() throws -> Engine {
        try Engine.open(store: TestStore.restarted(store.inner), clock: clock, directory: directory)
    }

    func task(_ title: String = "Review customer complaint", by user: String = "user123") async throws -> TaskID {
        try await engine.create(NewTask(title: title), by: Caller(user: UserID(user))).value.task.id
    }

    @discardableResult
    func comment(
        _ taskID: TaskID, _ text: String, by user: String = "user456", mentions: [UserID] = [],
        attachments: [AttachmentID] = []
    ) async throws -> TaskComment {
        var input = NewComment(taskID: taskID, text: text)
        input.mentions = mentions
        input.attachments = attachments.map(\.description)
        return try await engine.addComment(input, by: Caller(user: UserID(user))).value
    }

    @discardableResult
    func upload(
        _ taskID: TaskID, _ bytes: [UInt8], name: String = "file.bin", mimeType: String? = nil,
        by user: String = "user456"
    ) async throws -> TaskAttachment {
        let input = NewAttachment(
            taskID: taskID, filename: name, contentBase64: Base64.encode(bytes), mimeType: mimeType)
        return try await engine.uploadAttachment(input, by: Caller(user: UserID(user))).value
    }
}

/// The bytes of a small PNG header followed by `count` more bytes.
func pngBytes(_ count: Int = 24) -> [UInt8] {
    [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37) }
}
