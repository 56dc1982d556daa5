import JSON

/// The identity domain: the user directory and the token table.
///
/// Changes arrive only as identity events (`user_upserted`, `token_created`, `token_revoked`), through
/// ``prepare(_:in:)`` and ``apply(_:of:)``, for live writes and journal replay alike. Identity events belong
/// to no task's history.
struct IdentityLedger: Ledger {
    /// A checked identity event, ready to commit without failing.
    enum Change: Sendable {
        case user(User)
        case token(AccessToken)
    }

    static let lineKinds: [SnapshotLine.Kind] = [.user, .token]

    private(set) var users: [UserID: User] = [:]
    private(set) var tokens: [TokenID: AccessToken] = [:]
    /// Token id by the token's hash: how a login finds its token.
    private(set) var tokenIDsByHash: [String: TokenID] = [:]
    /// Issues token ids; observes every id seen so later ids sort after it.
    var tokenIDs = TaskIDGenerator()

    /// A user by id; `system` always exists (as the built-in administrator until someone renames it).
    func user(_ id: UserID) -> User? {
        users[id] ?? (id == User.systemID ? User.builtinSystem : nil)
    }

    /// Every user, `system` included, sorted by id.
    var allUsers: [User] {
        var all = Array(users.values)
        if users[User.systemID] == nil { all.append(User.builtinSystem) }
        return all.sorted { $0.userID < $1.userID }
    }

    /// A token by id.
    func token(_ id: TokenID) -> AccessToken? { tokens[id] }

    /// The token whose hash is `hash`.
    func token(hash: String) -> AccessToken? { tokenIDsByHash[hash].flatMap { tokens[$0] } }

    // MARK: Events

    /// Checks an identity event and computes the user or token it produces, changing nothing.
    func prepare(_ event: Event, in state: EngineState) throws(EngineError) -> Change {
        func damaged(_ detail: String) -> EngineError { .damaged("event \(event.seq) \(detail)") }
        func new(_ key: String) -> JSONValue? { event.changes[key]?["new"] }
        switch (event.type, event.subject) {
        case (.userUpserted, .user(let id)):
            var user =
                user(id)
                ?? User(userID: id, name: "", role: .member, createdAt: event.at, updatedAt: event.at)
            for member in event.changes.members {
                let value = member.value["new"]
                switch member.key {
                case "name":
                    guard let name = value?.stringValue else { throw damaged("has a bad name") }
                    user.name = name
                case "role":
                    guard let role = value?.stringValue.flatMap(Role.init(rawValue:)) else {
                        throw damaged("has a bad role")
                    }
                    user.role = role
                case "avatar_url": user.avatarURL = value?.stringValue
                case "email": user.email = value?.stringValue
                default: throw damaged("changes an unknown user field \(member.key)")
                }
            }
            guard !user.name.isEmpty, !id.text.isEmpty else { throw damaged("makes a user without a name") }
            if user.userID == User.systemID, user.role != .admin { throw damaged("demotes the system user") }
            user.updatedAt = event.at
            return .user(user)
        case (.tokenCreated, .token(let id)):
            guard tokens[id] == nil else { throw damaged("creates a bad or existing token") }
            guard let userID = new("user_id")?.stringValue, let hash = new("hash")?.stringValue,
                tokenIDsByHash[hash] == nil
            else { throw damaged("creates a token without a user or a unique hash") }
            var expiresAt: Timestamp?
            if let value = new("expires_at"), !value.isNull {
                guard let time = value.stringValue.flatMap(Timestamp.init(rfc3339:)) else {
                    throw damaged("has a bad expires_at")
                }
                expiresAt = time
            }
            return .token(
                AccessToken(
                    tokenID: id, userID: UserID(userID), label: new("label")?.stringValue, hash: hash,
                    createdAt: event.at, createdBy: event.actor, expiresAt: expiresAt
                ))
        case (.tokenRevoked, .token(let id)):
            guard var token = tokens[id], token.revokedAt == nil else { throw damaged("revokes an unknown token") }
            token.revokedAt = event.at
            return .token(token)
        default:
            throw damaged("is not an identity event")
        }
    }

    mutating func apply(_ change: Change, of event: Event) { insert(change) }

    private mutating func insert(_ change: Change) {
        switch change {
        case .user(let user):
            users[user.userID] = user
        case .token(let token):
            tokens[token.tokenID] = token
            tokenIDsByHash[token.hash] = token.tokenID
            tokenIDs.observe(token.tokenID.raw)
        }
    }

    // MARK: Snapshots and export

    /// Every stored user (the untouched built-in `system` is not stored), sorted by id.
    var storedUsersJSON: [JSONValue] {
        users.values.sorted { $0.userID < $1.userID }.map(\.json)
    }

    /// Every token, hash included, sorted by id.
    var tokensJSON: [JSONValue] {
        tokens.values.sorted { $0.tokenID < $1.tokenID }.map(\.persistentJSON)
    }

    func writeSnapshot(into writer: inout SnapshotWriter, state: EngineState) {
        for user in storedUsersJSON { writer.write(.user, user.objectValue ?? [:]) }
        for token in tokensJSON { writer.write(.token, token.objectValue ?? [:]) }
    }

    mutating func load(_ lines: [SnapshotLine.Kind: [SnapshotLine]], state: EngineState) throws(EngineError) {
        for line in lines[.user] ?? [] { try load(user: line.object()) }
        for line in lines[.token] ?? [] { try load(token: line.object()) }
    }

    /// Restores a user from a snapshot line.
    mutating func load(user object: JSONObject) throws(EngineError) {
        let user = try User(json: object)
        guard users[user.userID] == nil else { throw .damaged("user \(user.userID) appears twice") }
        insert(.user(user))
    }

    /// Restores a token from a snapshot line.
    mutating func load(token object: JSONObject) throws(EngineError) {
        let token = try AccessToken(persistent: object)
        guard tokens[token.tokenID] == nil, tokenIDsByHash[token.hash] == nil
        else { throw .damaged("token \(token.tokenID) appears twice or has a bad id") }
        insert(.token(token))
    }

    // MARK: Export and import

    /// `users` (the untouched built-in `system` is not stored) and `tokens` (by hash only), sorted by id.
    func export(into document: inout JSONObject, state: EngineState) {
        document.append("users", .array(storedUsersJSON))
        document.append("tokens", .array(tokensJSON))
    }

    /// Users and tokens come from the events; the document's lists must agree with them, as tasks must.
    mutating func importMembers(of document: JSONObject, state: EngineState) throws(EngineError) {
        guard (document["users"]?.arrayValue ?? []) == storedUsersJSON,
            (document["tokens"]?.arrayValue ?? []) == tokensJSON
        else { throw .damaged("the document's users or tokens do not match its events") }
    }
}

extension SnapshotLine.Kind {
    static let user = Self(rawValue: "user")
    static let token = Self(rawValue: "token")
}

extension IdentityLedger: Equatable {
    static func == (lhs: IdentityLedger, rhs: IdentityLedger) -> Bool {
        lhs.users == rhs.users && lhs.tokens == rhs.tokens
    }
}
