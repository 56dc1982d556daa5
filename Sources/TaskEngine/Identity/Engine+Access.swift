import TaskStore

extension Engine {
    /// The actions ``authorize(_:_:task:)`` checks; see ``AccessPolicy``.
    package typealias Action = AccessPolicy.Action

    /// The single place where task permission checks go: throws 403 `permission_denied` unless
    /// ``AccessPolicy`` allows the caller's role the action on this task (or on no task, when `task` is nil).
    func authorize(_ action: Action, _ caller: Caller, task: TaskItem? = nil) throws(EngineError) {
        let relation = task.map { AccessPolicy.relation(of: caller.userID, to: $0) } ?? .general
        guard AccessPolicy.allows(caller.role, action, relation) else {
            throw .permissionDenied(AccessPolicy.denial(action))
        }
    }

    /// The same check for an action on a user's account (their profile or tokens).
    func authorize(_ action: Action, _ caller: Caller, account userID: String?) throws(EngineError) {
        let relation: AccessPolicy.Relation =
            userID == nil ? .general : userID == caller.userID ? .ownAccount : .otherAccount
        guard AccessPolicy.allows(caller.role, action, relation) else {
            throw .permissionDenied(AccessPolicy.denial(action))
        }
    }

    /// Journals an identity event, then applies it. A refused append changes nothing.
    func commitIdentity(_ event: Event) throws(EngineError) -> (IdentityState.Change, CommitTicket) {
        let change = try state.prepareIdentity(event)
        let bytes = event.bytes
        let ticket: CommitTicket
        do { ticket = try store.append(bytes) } catch { throw .unavailable(error) }
        state.commitIdentity(change, of: event, bytes: bytes)
        if case .user(let user) = change { profiles.update(user) }
        didCommit(event)
        return (change, ticket)
    }
}
