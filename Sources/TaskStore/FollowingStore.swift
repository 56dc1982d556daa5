/// A store that another process may be writing: a database several servers share (docs/postgres.md,
/// "Several servers on one database"). Opened while another process writes it, the store follows: it refuses appends with
/// ``StoreError/Code/readOnly`` and hands over each record the writer commits, in order, until the writer
/// stops; then it takes over writing, continuing the numbering where the writer left it.
package protocol FollowingStore: Store {
    /// Whether the store follows another writer now (it refuses appends).
    var isFollowing: Bool { get }

    /// Starts following; does nothing for a store that writes. Call it once, after ``Store/recover()``.
    ///
    /// - Parameters:
    ///   - apply: called on the store's own thread with the records the writer committed after the last ones
    ///     recovered or applied, oldest first, and blocking until they are applied; `false` means they could
    ///     not be, and the store fails (its failure handler runs) rather than skip them.
    ///   - reload: called instead of `apply` when the records after the last one applied are gone (the writer
    ///     replaced them with a snapshot while this store was behind), with that snapshot and the records
    ///     after it; blocking like `apply`, and `false` fails the store the same way.
    ///   - promoted: called once, on the store's thread, when the writer is gone and every record it committed
    ///     was applied: appends are accepted from then on.
    func follow(
        apply: @escaping @Sendable ([[UInt8]]) -> Bool,
        reload: @escaping @Sendable (_ snapshot: [UInt8], _ records: [[UInt8]]) -> Bool,
        promoted: @escaping @Sendable () -> Void)
}

/// A write a read node could not get the writer to answer.
package struct ForwardingFailure: Error, Sendable, CustomStringConvertible {
    /// One sentence for the caller.
    package var message: String
    /// Whether the write may have been applied (the writer took it and did not answer) rather than surely not.
    package var inDoubt: Bool

    package init(message: String, inDoubt: Bool) {
        self.message = message
        self.inDoubt = inDoubt
    }

    package var description: String { message }
}

/// A ``FollowingStore`` whose read nodes hand writes to the writer through the store they share
/// (docs/postgres.md, "Several servers on one database").
package protocol ForwardingStore: FollowingStore {
    /// On a read node: hands `request` to the writer and returns its reply, once this node has applied every
    /// record the writer had committed when it answered, so the caller reads its own write here.
    func forward(_ request: [UInt8]) async throws(ForwardingFailure) -> [UInt8]

    /// Runs `handler` for each request read nodes forward while this store writes (at once, or from when it
    /// takes over), and hands its reply back. `abandoned` marks a request that a previous writer took and
    /// never answered: it may have been applied, so the handler must not run it again but say so.
    func serveForwarded(_ handler: @escaping @Sendable (_ request: [UInt8], _ abandoned: Bool) async -> [UInt8])
}
