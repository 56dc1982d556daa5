/// The promise that one appended record becomes durable.
///
/// The engine applies a change to memory, appends its record, and hands the ticket to the server, which
/// answers the client only after the ticket reports the record durable: by awaiting ``wait()``, or by
/// registering a callback with ``whenDurable(_:)``, which the file store runs on its writer thread right
/// after the sync, sparing a hop through the concurrency pool for every answer.
package struct CommitTicket: Sendable {
    /// Registers a callback to run once the outcome is known.
    package typealias Notify = @Sendable (_ callback: @escaping @Sendable (Result<Void, StoreError>) -> Void) -> Void

    private let waitForDurability: @Sendable () async throws(StoreError) -> Void
    private let notify: Notify?

    /// A ticket whose durability is decided by `wait`, and optionally reported to callbacks by `notify`.
    package init(wait: @escaping @Sendable () async throws(StoreError) -> Void, notify: Notify? = nil) {
        self.waitForDurability = wait
        self.notify = notify
    }

    /// A ticket that is durable already (in-memory stores, reads).
    package static let durable = CommitTicket(wait: {}, notify: { $0(.success(())) })

    /// Returns when the record is durable; throws when the store failed before that.
    package func wait() async throws(StoreError) {
        try await waitForDurability()
    }

    /// Runs `callback` with the outcome once it is known, possibly at once on the calling thread, possibly on
    /// the store's writer thread: it must be quick and must not block.
    package func whenDurable(_ callback: @escaping @Sendable (Result<Void, StoreError>) -> Void) {
        if let notify {
            notify(callback)
            return
        }
        let wait = waitForDurability
        Task {
            do throws(StoreError) {
                try await wait()
                callback(.success(()))
            } catch {
                callback(.failure(error))
            }
        }
    }
}
