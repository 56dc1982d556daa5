package import JSON

/// A bearer token as the engine keeps it: who it belongs to and its SHA-256 hash, never the token itself.
package struct AccessToken: Sendable, Equatable {
    /// Whether a token still logs in.
    package enum Status: String, Sendable {
        case active, expired, revoked
    }

    /// `tok_` and 13 base32 characters; not secret, sorts by creation time.
    package var tokenID: TokenID
    package var userID: UserID
    package var label: String?
    /// Lowercase hex SHA-256 of the token's UTF-8 text.
    package var hash: String
    package var createdAt: Timestamp
    package var createdBy: UserID
    package var expiresAt: Timestamp?
    package var revokedAt: Timestamp?

    package init(
        tokenID: TokenID, userID: UserID, label: String?, hash: String, createdAt: Timestamp, createdBy: UserID,
        expiresAt: Timestamp?, revokedAt: Timestamp? = nil
    ) {
        self.tokenID = tokenID
        self.userID = userID
        self.label = label
        self.hash = hash
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// The token's status at `now`: revoked wins over expired.
    package func status(at now: Timestamp) -> Status {
        if revokedAt != nil { return .revoked }
        if let expiresAt, expiresAt <= now { return .expired }
        return .active
    }

    /// The public description (`auth.tokens.list`): everything but the hash.
    package func json(at now: Timestamp) -> JSONValue {
        [
            "token_id": .string(tokenID.description),
            "user_id": userID.json,
            "label": label.map(JSONValue.string) ?? .null,
            "created_at": .string(createdAt.rfc3339),
            "created_by": createdBy.json,
            "expires_at": expiresAt.map { .string($0.rfc3339) } ?? .null,
            "revoked_at": revokedAt.map { .string($0.rfc3339) } ?? .null,
            "status": .string(status(at: now).rawValue),
        ]
    }

    /// Every stored member, hash included (snapshots and export; the token itself is never stored).
    var persistentJSON: JSONValue {
        [
            "token_id": .string(tokenID.description),
            "user_id": userID.json,
            "label": label.map(JSONValue.string) ?? .null,
            "hash": .string(hash),
            "created_at": .string(createdAt.rfc3339),
            "created_by": createdBy.json,
            "expires_at": expiresAt.map { .string($0.rfc3339) } ?? .null,
            "revoked_at": revokedAt.map { .string($0.rfc3339) } ?? .null,
        ]
    }

    /// Reads a token back from ``persistentJSON``.
    init(persistent object: JSONObject) throws(EngineError) {
        guard let tokenID = object["token_id"]?.stringValue.flatMap(TokenID.init),
            let userID = object["user_id"]?.stringValue,
            let hash = object["hash"]?.stringValue,
            let createdAt = object["created_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            let createdBy = object["created_by"]?.stringValue
        else { throw .damaged("a stored token lacks a required member") }
        func time(_ key: String) throws(EngineError) -> Timestamp? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let time = value.stringValue.flatMap(Timestamp.init(rfc3339:)) else {
                throw .damaged("stored token \(tokenID) has a bad \(key)")
            }
            return time
        }
        self.init(
            tokenID: tokenID, userID: UserID(userID), label: object["label"]?.stringValue, hash: hash,
            createdAt: createdAt, createdBy: UserID(createdBy), expiresAt: try time("expires_at"),
            revokedAt: try time("revoked_at")
        )
    }
}
