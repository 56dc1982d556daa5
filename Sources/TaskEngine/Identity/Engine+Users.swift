import JSON
import TaskStore

extension Engine {
    /// Creates a user or changes one. Fields equal to their current value are not changes; when nothing
    /// changes, nothing is recorded. `avatar_url` and `email` are replaced (absent clears them).
    ///
    /// Who may do what is ``AccessPolicy/userAction(caller:target:existing:new:)``; the built-in `system`
    /// user always stays an admin.
    package func upsertUser(_ input: UserInput, by caller: Caller) throws(EngineError) -> Committed<UpsertedUser> {
        let userID = try IdentityValidator.userID(input.userID)
        let name = try IdentityValidator.name(input.name)
        let avatarURL = try input.avatarURL.map(IdentityValidator.avatarURL)
        let email = try input.email.map(IdentityValidator.email)
        let role = try IdentityValidator.role(input.role)
        let existing = state.identity.user(userID)
        try authorize(
            AccessPolicy.userAction(caller: caller.user, target: userID, existing: existing?.role, new: role),
            caller, account: userID)
        if userID == User.systemID, role != .admin {
            throw .permissionDenied("The built-in system user is always an admin")
        }
        var changes = JSONObject()
        func change(_ key: String, _ old: String?, _ new: String?) {
            guard old != new || existing == nil else { return }
            changes.append(
                key, ["old": old.map(JSONValue.string) ?? .null, "new": new.map(JSONValue.string) ?? .null])
        }
        change("name", existing?.name, name)
        change("avatar_url", existing?.avatarURL, avatarURL)
        change("email", existing?.email, email)
        change("role", existing?.role.rawValue, role.rawValue)
        if let existing, changes.isEmpty {
            return Committed(UpsertedUser(user: existing, created: false, updatedFields: []), ticket: store.barrier())
        }
        let event = Event(
            seq: state.lastSeq + 1, type: .userUpserted, at: state.eventTime(now: clock.now()), actor: caller.user,
            agent: caller.agent, subject: .user(userID), version: 0, changes: changes
        )
        let (committed, ticket) = try commitIdentity(event)
        guard case .user(let user) = committed else { throw .damaged("a user event produced no user") }
        let upserted = UpsertedUser(
            user: user, created: existing == nil, updatedFields: existing == nil ? [] : changes.keys)
        return Committed(upserted, ticket: ticket)
    }

    /// A user; `system` always exists. Every authenticated caller may read the directory.
    package func user(_ id: UserID, for caller: Caller = .system) throws(EngineError) -> User {
        try authorize(.readUsers, caller, account: nil)
        guard let user = state.identity.user(id) else { throw .userNotFound(id) }
        return user
    }

    /// Whether a user exists (`system` always does).
    package func userExists(_ id: UserID) -> Bool { state.identity.user(id) != nil }

    /// A page of users sorted by id, optionally only those with one role.
    package func users(
        role: String? = nil, page: Int = 1, limit: Int = 20, for caller: Caller = .system
    ) throws(EngineError) -> UserPage {
        try authorize(.readUsers, caller, account: nil)
        let role = try role.map(IdentityValidator.role)
        try IdentityValidator.paging(page: page, limit: limit)
        let matches = state.identity.allUsers.filter { role == nil || $0.role == role }
        return UserPage(users: Array(matches.page(page, limit: limit)), total: matches.count, page: page, limit: limit)
    }
}
