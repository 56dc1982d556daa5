extension EventType {
    /// Whether the event changes the user directory or a token rather than a task.
    ///
    /// Identity events are journaled, replayed, snapshotted and exported like task events, but belong to no
    /// task's history and are internal: the public event feed leaves them out (see ``Event/isInternal``).
    package var isIdentity: Bool { domain == .identity }
}

extension Event {
    /// Whether the event stays inside the server: feeds built on ``Engine/events(after:limit:)`` and
    /// ``Engine/subscribe()`` must skip it. True for user and token events, which carry emails and token
    /// hashes that not every subscriber may see, and for notification events, which carry webhook secrets
    /// and concern one user only.
    package var isInternal: Bool { type.isIdentity || type.domain == .notifications }
}
