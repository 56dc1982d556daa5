/// Who is making a call: the user writes are attributed to, their role, and the agent acting for them, if any.
///
/// Every engine method takes one; ``Engine`` checks it against ``AccessPolicy`` in `authorize`.
package struct Caller: Sendable, Equatable {
    /// The user the call acts as (`created_by`, `completed_by`, history `actor`).
    package var user: UserID
    /// The agent (bot or service) acting on the user's behalf, recorded in history.
    package var agent: UserID?
    /// The role whose permissions apply: the user's role, also when an agent acts for them.
    package var role: Role

    /// A caller. The role defaults to `admin` because engine-level callers without a connection (tests,
    /// the `token` command) act with full rights; the server always passes the connection's real role.
    package init(user: UserID, agent: UserID? = nil, role: Role = .admin) {
        self.user = user
        self.agent = agent
        self.role = role
    }

    /// The built-in administrator that stdio connections act as by default.
    package static let system = Caller(user: User.systemID)
}
