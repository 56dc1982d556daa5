/// The promise that one appended record becomes durable.
///
/// The engine applies a change to memory, appends its record, and hands the ticket to the server, which
/// answers the client only after ``wait()`` returns.
package struct CommitTicket: Sendable {
    private let waitForDurability: @Sendable () async throws(StoreError) -> Void

    /// A ticket whose durability is decided by `wait`.
    package init(wait: @escaping @Sendable () async throws(StoreError) -> Void) {
        self.waitForDurability = wait
    }

    /// A ticket that is durable already (in-memory stores, reads).
    package static let durable = CommitTicket(wait: {})

    /// Returns when the record is durable; throws when the store failed before that.
    package func wait() async throws(StoreError) {
        try await waitForDurability()
    }
}
