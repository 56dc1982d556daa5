/// A store that another process may be writing: a database several servers share (docs/postgres.md, "Read
/// nodes"). Opened while another process writes it, the store follows: it refuses appends with
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
    ///   - promoted: called once, on the store's thread, when the writer is gone and every record it committed
    ///     was applied: appends are accepted from then on.
    func follow(apply: @escaping @Sendable ([[UInt8]]) -> Bool, promoted: @escaping @Sendable () -> Void)
}
