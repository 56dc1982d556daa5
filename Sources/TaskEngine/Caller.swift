/// Who is making a call: the user writes are attributed to, and the agent acting for them, if any.
///
/// Every engine method takes one, so the permission model of a later issue has one place to look
/// (``Engine`` checks it in `authorize`).
package struct Caller: Sendable, Equatable {
    /// The user the call acts as (`created_by`, `completed_by`, history `actor`).
    package var userID: String
    /// The agent (bot or service) acting on the user's behalf, recorded in history.
    package var agentID: String?

    package init(userID: String, agentID: String? = nil) {
        self.userID = userID
        self.agentID = agentID
    }

    /// The built-in administrator that stdio connections act as by default.
    package static let system = Caller(userID: "system")
}
