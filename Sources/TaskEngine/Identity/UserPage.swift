package import JSON

/// One page of `users.list`, sorted by user id.
package struct UserPage: Sendable {
    package var users: [User]
    /// How many users match in all pages.
    package var total: Int
    package var page: Int
    package var limit: Int

    /// `{users: [user…], total, page, limit}`.
    package var json: JSONValue {
        [
            "users": .array(users.map(\.json)),
            "total": .int(total),
            "page": .int(page),
            "limit": .int(limit),
        ]
    }
}
