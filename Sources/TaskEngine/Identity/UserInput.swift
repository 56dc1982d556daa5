/// The params of `users.upsert`, as the client sent them; the engine validates every field.
package struct UserInput: Sendable, Equatable {
    package var userID: UserID
    package var name: String
    package var avatarURL: String?
    package var email: String?
    package var role: String

    package init(userID: UserID, name: String, avatarURL: String? = nil, email: String? = nil, role: String) {
        self.userID = userID
        self.name = name
        self.avatarURL = avatarURL
        self.email = email
        self.role = role
    }
}
