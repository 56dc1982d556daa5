import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// An engine with a hand-driven clock standing at 2024-01-15T10:00:00Z, on this pass's store: memory, or a
/// PostgreSQL database in the PostgreSQL pass (``TestStore``; the suite must be marked `.closesTestStores`).
struct Fixture {
    let store: any Store
    let clock = ManualTimeSource("2024-01-15T10:00:00Z")
    let engine: Engine

    /// `backend` is `.memory` for a test that reads the journal's records or makes an append fail
    /// (``memory``).
    init(snapshotThreshold: Int = 100_000, on backend: TestStore.Backend = .thisPass) throws {
        store = try TestStore.make(on: backend)
        engine = try Engine.open(store: store, clock: clock, snapshotThreshold: snapshotThreshold)
    }

    /// The memory store under the engine, whose records a test reads and whose next append it can fail.
    var memory: MemoryStore {
        get throws {
            try #require(store as? MemoryStore, "the fixture of a test that reads the records must be on: .memory")
        }
    }

    /// Returns once every change so far is durable, and so in the feed and with its subscribers, as it is
    /// before the server answers it.
    func durable() async throws { try await store.barrier().wait() }

    /// A second engine recovered from what a restart of the store would find (``TestStore.restarted(_:)``).
    func reopen() throws -> Engine {
        try Engine.open(store: TestStore.restarted(store), clock: clock)
    }

    /// Creates a task with a title and optional fields, returning it.
    @discardableResult
    func create(
        _ title: String, by user: String = "user123", configure: (inout NewTask) -> Void = { _ in }
    ) async throws -> TaskItem {
        var input = NewTask(title: title)
        configure(&input)
        return try await engine.create(input, by: Caller(user: UserID(user))).value.task
    }

    /// Applies a patch.
    @discardableResult
    func update(
        _ id: TaskID, by user: String = "user123", _ configure: (inout TaskPatch) -> Void
    ) async throws
        -> UpdatedTask
    {
        var patch = TaskPatch()
        configure(&patch)
        return try await engine.update(id, patch, by: Caller(user: UserID(user))).value
    }

    /// Moves a task to a status through `tasks.update`.
    func setStatus(_ id: TaskID, _ status: TaskStatus) async throws {
        try await update(id) { $0.status = status.rawValue }
    }
}

/// Runs `body` and returns the engine error it throws, or `nil`.
func engineError(_ body: () async throws -> Void) async -> EngineError? {
    do {
        try await body()
        return nil
    } catch let error as EngineError {
        return error
    } catch {
        return nil
    }
}

/// A small deterministic random generator (SplitMix64), so property-style tests repeat exactly.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// Parses a task id as the server does where params enter: text that is no task id answers
/// `task_not_found` carrying the text, as an unknown id does.
func taskID(_ text: String) throws(EngineError) -> TaskID {
    guard let id = TaskID(text) else { throw .taskNotFound(text) }
    return id
}

/// Parses an attachment id as the server does; unparseable text is `attachment_not_found`.
func attachmentID(_ text: String) throws(EngineError) -> AttachmentID {
    guard let id = AttachmentID(text) else { throw .attachmentNotFound(text) }
    return id
}

/// Parses a token id as the server does; unparseable text is `token_not_found`.
func tokenID(_ text: String) throws(EngineError) -> TokenID {
    guard let id = TokenID(text) else { throw .tokenNotFound(text) }
    return id
}
