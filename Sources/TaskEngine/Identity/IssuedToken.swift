package import JSON

/// A token just created: the only moment its text exists outside the client.
package struct IssuedToken: Sendable {
    /// The bearer token itself; never stored, shown once.
    package var token: String
    package var record: AccessToken

    /// `{token_id, token, user_id, label, created_at, expires_at}`.
    package var json: JSONValue {
        [
            "token_id": .string(record.tokenID.description),
            "token": .string(token),
            "user_id": record.userID.json,
            "label": record.label.map(JSONValue.string) ?? .null,
            "created_at": .string(record.createdAt.rfc3339),
            "expires_at": record.expiresAt.map { .string($0.rfc3339) } ?? .null,
        ]
    }
}

/// What a successful `auth.login` found: the token and the user it belongs to.
package struct TokenLogin: Sendable {
    package var user: User
    package var token: AccessToken
}

/// The tokens `auth.tokens.list` shows, with the time their status was judged at.
package struct TokenList: Sendable {
    package var tokens: [AccessToken]
    package var at: Timestamp

    /// `{tokens: [{token_id, user_id, label, created_at, created_by, expires_at, revoked_at, status}…]}`.
    package var json: JSONValue {
        ["tokens": .array(tokens.map { $0.json(at: at) })]
    }
}
