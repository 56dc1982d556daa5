/// Looks up the name and avatar shown for a user id, so `tasks.get` can expand `assignee`.
///
/// By default the engine serves it from its own users (`users.upsert`); tests may inject another. A user
/// the directory does not know is rendered as `{"user_id": id}`.
package protocol UserDirectory: Sendable {
    /// The profile of a user, or `nil` when the directory does not know the id.
    func profile(of userID: UserID) -> UserProfile?
}

/// What the directory knows about a user.
package struct UserProfile: Sendable, Equatable {
    package var userID: UserID
    package var name: String?
    package var avatarURL: String?

    package init(userID: UserID, name: String? = nil, avatarURL: String? = nil) {
        self.userID = userID
        self.name = name
        self.avatarURL = avatarURL
    }
}

/// A directory that knows no one.
package struct EmptyUserDirectory: UserDirectory {
    package init() {}

    /// Always `nil`.
    package func profile(of userID: UserID) -> UserProfile? { nil }
}
