import Locking

/// The engine's user directory as seen from outside the actor: a lock-protected copy of each user's name
/// and avatar, updated whenever a user changes, so `tasks.get` and `tasks.create` replies can expand the
/// assignee without entering the engine.
final class UserProfiles: UserDirectory {
    private let profiles: Mutex<[UserID: UserProfile]>

    init(_ users: [User]) {
        profiles = Mutex(Dictionary(users.map { ($0.userID, $0.profile) }, uniquingKeysWith: { $1 }))
    }

    func profile(of userID: UserID) -> UserProfile? { profiles.withLock { $0[userID] } }

    /// Records a user's current name and avatar.
    func update(_ user: User) {
        profiles.withLock { $0[user.userID] = user.profile }
    }
}
