import JSON
import TaskStore

extension Engine {
    /// Issues a bearer token for an existing user. Only its SHA-256 hash is journaled; the token is returned
    /// once, here. Admins only (see ``AccessPolicy``).
    ///
    /// - Parameter secret: the token text; tests pass a fixed one, everyone else takes the random default.
    package func createToken(
        for userID: UserID, label: String? = nil, expiresAt: TimeInput? = nil, by caller: Caller,
        secret: String = TokenSecret.generate()
    ) throws(EngineError) -> Committed<IssuedToken> {
        try authorize(.createToken, caller, account: userID)
        guard state.identity.user(userID) != nil else { throw .userNotFound(userID) }
        let label = try label.map(IdentityValidator.label)
        let now = clock.now()
        let expiry = try expiresAt.map { (input) throws(EngineError) in
            try Validator.time(input, field: "expires_at")
        }
        if let expiry, expiry <= now { throw .invalid("expires_at", "Field expires_at must be in the future.") }
        let hash = TokenSecret.hash(secret)
        guard state.identity.token(hash: hash) == nil else { throw .invalid("token", "This token already exists.") }
        let at = state.eventTime(now: now)
        var ids = state.identity.tokenIDs
        let tokenID = TokenID(raw: ids.next(at: at))
        let changes: JSONObject = [
            "user_id": ["old": .null, "new": userID.json],
            "label": ["old": .null, "new": label.map(JSONValue.string) ?? .null],
            "hash": ["old": .null, "new": .string(hash)],
            "expires_at": ["old": .null, "new": expiry.map { .string($0.rfc3339) } ?? .null],
        ]
        let event = Event(
            seq: state.lastSeq + 1, type: .tokenCreated, at: at, actor: caller.user, agent: caller.agent,
            subject: .token(tokenID), version: 0, changes: changes
        )
        let (change, ticket) = try commitIdentity(event)
        guard case .token(let record) = change else { throw .damaged("a token event produced no token") }
        return Committed(IssuedToken(token: secret, record: record), ticket: ticket)
    }

    /// Revokes a token at once, also for connections already logged in with it. Admins may revoke any
    /// token, everyone else their own. Revoking a revoked token changes nothing and answers the same.
    package func revokeToken(_ tokenID: TokenID, by caller: Caller) throws(EngineError) -> Committed<AccessToken> {
        guard let token = state.identity.token(tokenID) else { throw .tokenNotFound(tokenID.description) }
        try authorize(.revokeToken, caller, account: token.userID)
        if token.revokedAt != nil { return Committed(token, ticket: store.barrier()) }
        let at = state.eventTime(now: clock.now())
        let event = Event(
            seq: state.lastSeq + 1, type: .tokenRevoked, at: at, actor: caller.user, agent: caller.agent,
            subject: .token(tokenID), version: 0, changes: ["revoked_at": ["old": .null, "new": .string(at.rfc3339)]]
        )
        let (change, ticket) = try commitIdentity(event)
        guard case .token(let revoked) = change else { throw .damaged("a token event produced no token") }
        return Committed(revoked, ticket: ticket)
    }

    /// The tokens of one user (everyone may list their own), or of everyone (`userID` nil: admins only;
    /// for anyone else nil means their own), sorted by id. Never includes the token text or hash.
    package func tokens(of userID: UserID?, for caller: Caller) throws(EngineError) -> TokenList {
        let owner = userID ?? (caller.role == .admin ? nil : caller.user)
        let relation: AccessPolicy.Relation = owner == caller.user ? .ownAccount : .otherAccount
        guard AccessPolicy.allows(caller.role, .listTokens, relation) else {
            throw .permissionDenied(AccessPolicy.denial(.listTokens))
        }
        let tokens = state.identity.tokens.values.filter { owner == nil || $0.userID == owner }
        return TokenList(tokens: tokens.sorted { $0.tokenID < $1.tokenID }, at: clock.now())
    }

    /// Finds the active token with this text and its user. Every failure is the same 401, so a caller
    /// learns nothing about which tokens exist.
    package func login(token: String) throws(EngineError) -> TokenLogin {
        let hash = TokenSecret.hash(token)
        guard let record = state.identity.token(hash: hash),
            SHA256.constantTimeEquals(Array(record.hash.utf8), Array(hash.utf8)),
            record.status(at: clock.now()) == .active, let user = state.identity.user(record.userID)
        else { throw .unauthorized("The token is invalid, expired or revoked.") }
        return TokenLogin(user: user, token: record)
    }

    /// The user a connection acts as, checked on every call: the user must exist and, for a token login,
    /// the token must still be active (an expiry or revocation stops it at once).
    package func principal(userID: UserID, tokenID: TokenID?) throws(EngineError) -> User {
        if let tokenID {
            guard let token = state.identity.token(tokenID), token.userID == userID,
                token.status(at: clock.now()) == .active
            else { throw .unauthorized("The token of this connection expired or was revoked; log in again.") }
        }
        guard let user = state.identity.user(userID) else { throw .userNotFound(userID) }
        return user
    }
}
