package import JSON

/// One entry of the user directory: who a user id is, how to show them, and their role.
package struct User: Sendable, Equatable {
    /// The id chosen by the host (`user456`): 1-64 characters of `[A-Za-z0-9._@-]`.
    package var userID: UserID
    package var name: String
    package var avatarURL: String?
    package var email: String?
    package var role: Role
    package var createdAt: Timestamp
    package var updatedAt: Timestamp

    package init(
        userID: UserID, name: String, avatarURL: String? = nil, email: String? = nil, role: Role,
        createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.userID = userID
        self.name = name
        self.avatarURL = avatarURL
        self.email = email
        self.role = role
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The id of the built-in administrator.
    package static let systemID: UserID = "system"

    /// The built-in administrator as it exists before anyone renames it.
    static let builtinSystem = User(
        userID: systemID, name: "System", role: .admin, createdAt: Timestamp(microseconds: 0),
        updatedAt: Timestamp(microseconds: 0)
    )

    /// `{user_id, name, avatar_url, email, role, created_at, updated_at}`, every member present.
    package var json: JSONValue {
        [
            "user_id": userID.json,
            "name": .string(name),
            "avatar_url": avatarURL.map(JSONValue.string) ?? .null,
            "email": email.map(JSONValue.string) ?? .null,
            "role": .string(role.rawValue),
            "created_at": .string(createdAt.rfc3339),
            "updated_at": .string(updatedAt.rfc3339),
        ]
    }

    /// Reads a user back from ``json`` (snapshots, export).
    init(json object: JSONObject) throws(EngineError) {
        guard let userID = object["user_id"]?.stringValue, let name = object["name"]?.stringValue,
            let role = object["role"]?.stringValue.flatMap(Role.init(rawValue:)),
            let createdAt = object["created_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            let updatedAt = object["updated_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        else { throw .damaged("a stored user lacks a required member") }
        self.init(
            userID: UserID(userID), name: name, avatarURL: object["avatar_url"]?.stringValue,
            email: object["email"]?.stringValue, role: role, createdAt: createdAt, updatedAt: updatedAt
        )
    }

    /// What `tasks.get` shows for this user as an assignee.
    var profile: UserProfile { UserProfile(userID: userID, name: name, avatarURL: avatarURL) }
}
