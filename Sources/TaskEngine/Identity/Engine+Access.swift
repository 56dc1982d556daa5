import TaskStore

extension Engine {
    /// The actions ``authorize(_:_:task:)`` checks; see ``AccessPolicy``.
    package typealias Action = AccessPolicy.Action

    /// The single place where task permission checks go: throws 403 `permission_denied` unless
    /// ``AccessPolicy`` allows the caller's role the action on this task (or on no task, when `task` is nil).
    func authorize(_ action: Action, _ caller: Caller, task: TaskItem? = nil) throws(EngineError) {
        let relation = task.map { AccessPolicy.relation(of: caller.user, to: $0) } ?? .general
        guard AccessPolicy.allows(caller.role, action, relation) else {
            throw .permissionDenied(AccessPolicy.denial(action))
        }
    }

    /// The same check for an action on a user's account (their profile or tokens).
    func authorize(_ action: Action, _ caller: Caller, account userID: UserID?) throws(EngineError) {
        let relation: AccessPolicy.Relation =
            userID == nil ? .general : userID == caller.user ? .ownAccount : .otherAccount
        guard AccessPolicy.allows(caller.role, action, relation) else {
            throw .permissionDenied(AccessPolicy.denial(action))
        }
    }

    /// Keeps the lock-protected profiles that expand assignees in step with a committed user change.
    func didCommitIdentity(_ change: IdentityLedger.Change) {
        if case .user(let user) = change { profiles.update(user) }
    }

    /// Journals an identity event, then applies it. A refused append changes nothing.
    func commitIdentity(_ event: Event) throws(EngineError) -> (IdentityLedger.Change, CommitTicket) {
        let (change, ticket) = try commitChange(event)
        guard case .identity(let identity) = change else {
            preconditionFailure("event \(event.seq) is not an identity event")
        }
        return (identity, ticket)
    }
}
