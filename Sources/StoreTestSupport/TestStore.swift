package import Foundation
import Locking
package import PostgresStore
package import TaskStore
import TestSupport
package import Testing

/// The store an engine under test runs on: memory, or, with `TASKWIRE_TEST_STORE=postgres` (the second pass
/// `scripts/test` makes of the engine suites and of the server suites that take their store from here), a
/// PostgreSQL database of its own, so that one set of tests proves both backends (docs/postgres.md,
/// "Testing").
///
/// A PostgreSQL store holds connections and threads until it is closed; a test that opens one must run in a
/// suite marked ``Trait/closesTestStores``, which closes them when the test ends.
package enum TestStore {
    /// Which backend a test's store is on.
    package enum Backend: Sendable {
        /// The backend of this pass: memory, or PostgreSQL in the PostgreSQL pass.
        case thisPass
        /// Memory in every pass, for a test that reads a ``MemoryStore``'s records or makes its appends fail.
        case memory
    }

    /// Whether this pass runs the suites on PostgreSQL.
    package static var onPostgres: Bool { ProcessInfo.processInfo.environment["TASKWIRE_TEST_STORE"] == "postgres" }

    /// The PostgreSQL stores the running test opened, closed when it ends.
    @TaskLocal static var opened: OpenedStores?

    /// A new, empty store on `backend`.
    ///
    /// - Throws: when the PostgreSQL pass has no database to create, or the test's suite is not marked
    ///   ``Trait/closesTestStores``.
    package static func make(on backend: Backend = .thisPass) throws -> any Store {
        guard onPostgres, backend == .thisPass else { return MemoryStore() }
        guard let opened else {
            throw PostgresScratch.ScratchError(
                message: "a test that opens a PostgreSQL store must run in a suite marked .closesTestStores")
        }
        guard let host = PostgresScratch.host else {
            throw PostgresScratch.ScratchError(message: "no test PostgreSQL (TASKWIRE_TEST_POSTGRES_HOST)")
        }
        let name = "tw_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try PostgresBackend.execute(conninfo: maintenance(host), "CREATE DATABASE \(name)")
        let conninfo = "host=\(host) user=\(PostgresScratch.user) dbname=\(name)"
        _ = try PostgresBackend.migrate(conninfo: conninfo)
        var options = PostgresStoreOptions()
        options.onWarning = { message in
            FileHandle.standardError.write(Data("\(PostgresScratch.databaseName(conninfo)): \(message)\n".utf8))
        }
        let store = try PostgresBackend.open(conninfo: conninfo, options: options)
        opened.add(store, conninfo: conninfo)
        return store
    }

    /// The test server's `postgres` database, where databases are made and dropped.
    static func maintenance(_ host: String) -> String { "host=\(host) user=\(PostgresScratch.user) dbname=postgres" }

    /// Whether the store took a snapshot once `threshold` records followed the previous one, as the engine
    /// asks it to. On memory, snapshots are taken at once: fewer than `threshold` records follow the newest.
    /// A PostgreSQL store writes each on a thread of its own and refuses a request while one runs, so the
    /// count says little there: this waits, up to 30 s, for a snapshot row covering a record to commit.
    package static func tookSnapshot(_ store: any Store, threshold: Int) async throws -> Bool {
        guard let conninfo = opened?.conninfo(of: store) else { return store.recordsSinceSnapshot < threshold }
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if try PostgresBackend.check(conninfo: conninfo).snapshotCovers.contains(where: { $0 > 0 }) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// A store holding what a restart of `store` would recover, for a second engine built beside the first.
    ///
    /// A memory store is its own restart: it keeps every record. For a PostgreSQL store this blocks the
    /// calling thread until every record appended so far is durable, then reads the database as a start does
    /// (``PostgresBackend/check(conninfo:)``) into a memory store whose blobs are the database's, so that both
    /// engines stay usable side by side as they are on memory; the second engine's writes stay in memory.
    package static func restarted(_ store: any Store) throws -> any Store {
        guard let conninfo = opened?.conninfo(of: store) else { return store }
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Void, StoreError>?>(nil)
        store.barrier().whenDurable { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        try outcome.withLock { $0 }?.get()
        return RestartedStore(
            recovered: try PostgresBackend.check(conninfo: conninfo).recovered, blobs: store)
    }
}

/// The PostgreSQL stores one test opened.
final class OpenedStores: Sendable {
    private let stores = Mutex<[(store: any Store, conninfo: String)]>([])

    func add(_ store: any Store, conninfo: String) { stores.withLock { $0.append((store, conninfo)) } }

    func conninfo(of store: any Store) -> String? {
        stores.withLock { $0.first { $0.store === store }?.conninfo }
    }

    /// Closes each store, then drops its database, so a long run does not fill the test server's disk.
    func closeAndDropAll() throws {
        for entry in stores.withLock({ $0 }) {
            entry.store.close()
            guard let host = PostgresScratch.host else { continue }
            try PostgresBackend.execute(
                conninfo: TestStore.maintenance(host),
                "DROP DATABASE \(PostgresScratch.databaseName(entry.conninfo)) WITH (FORCE)")
        }
    }
}

/// A restart's view of a PostgreSQL store: its recovered records in memory, its blobs in the database.
private final class RestartedStore: Store {
    private let memory: MemoryStore
    private let blobs: any Store

    init(recovered: RecoveredState, blobs: any Store) {
        memory = MemoryStore(recovered: recovered)
        self.blobs = blobs
    }

    func recover() throws(StoreError) -> RecoveredState { try memory.recover() }
    func append(_ record: [UInt8]) throws(StoreError) -> CommitTicket { try memory.append(record) }
    func barrier() -> CommitTicket { memory.barrier() }
    var recordsSinceSnapshot: Int { memory.recordsSinceSnapshot }
    func snapshot(encode: @escaping @Sendable () -> [UInt8]) -> Bool { memory.snapshot(encode: encode) }
    func writeInitialSnapshot(_ bytes: [UInt8]) throws(StoreError) { try memory.writeInitialSnapshot(bytes) }
    func close() { memory.close() }
    func putBlob(key: String, bytes: [UInt8]) throws(StoreError) { try blobs.putBlob(key: key, bytes: bytes) }
    func blob(key: String) throws(StoreError) -> [UInt8]? { try blobs.blob(key: key) }
    func deleteBlob(key: String) throws(StoreError) { try blobs.deleteBlob(key: key) }
    func blobKeys() throws(StoreError) -> [String] { try blobs.blobKeys() }
}

/// Closes the PostgreSQL stores each test of the suite opened through ``TestStore`` once the test ends, and
/// drops their databases.
package struct ClosesTestStores: SuiteTrait, TestTrait, TestScoping {
    package var isRecursive: Bool { true }

    package func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard !test.isSuite else { return try await function() }
        let opened = OpenedStores()
        do {
            try await TestStore.$opened.withValue(opened) { try await function() }
        } catch {
            try opened.closeAndDropAll()
            throw error
        }
        try opened.closeAndDropAll()
    }
}

extension Trait where Self == ClosesTestStores {
    /// Closes the PostgreSQL stores each test opened through ``TestStore`` when it ends.
    package static var closesTestStores: Self { ClosesTestStores() }
}
