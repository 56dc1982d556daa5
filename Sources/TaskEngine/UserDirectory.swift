/// Looks up the name and avatar shown for a user id, so `tasks.get` can expand `assignee`.
///
/// The user directory arrives in a later issue; until then ``EmptyUserDirectory`` knows nobody and the
/// assignee is rendered as `{"user_id": id}`, which is also how unknown users will look.
package protocol UserDirectory: Sendable {
    /// The profile of a user, or `nil` when the directory does not know the id.
    func profile(of userID: String) -> UserProfile?
}

/// What the directory knows about a user.
package struct UserProfile: Sendable, Equatable {
    package var userID: String
    package var name: String?
    package var avatarURL: String?

    package init(userID: String, name: String? = nil, avatarURL: String? = nil) {
        self.userID = userID
        self.name = name
        self.avatarURL = avatarURL
    }
}

/// A directory that knows no one.
package struct EmptyUserDirectory: UserDirectory {
    package init() {}

    /// Always `nil`.
    package func profile(of userID: String) -> UserProfile? { nil }
}
