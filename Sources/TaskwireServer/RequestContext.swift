/// What a handler knows about the call besides its params: the connection it came on and who is calling.
///
/// Handlers never see the transport itself.
package struct RequestContext: Sendable {
    /// A number unique to the connection for the life of the process, for logs and per-connection state.
    package var connectionID: UInt64
    /// The user the call acts as: writes are attributed to it (`created_by`, `completed_by`).
    package var userID: String

    package init(connectionID: UInt64, userID: String = "system") {
        self.connectionID = connectionID
        self.userID = userID
    }
}
