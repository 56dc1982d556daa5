package import JSONRPC

/// What a handler knows about the call besides its params: the connection it came on and who is calling.
///
/// Handlers never see the transport itself.
package struct RequestContext: Sendable {
    /// A number unique to the connection for the life of the process, for logs and per-connection state.
    package var connectionID: UInt64
    /// The user the call acts as: writes are attributed to it (`created_by`, `completed_by`).
    package var userID: String
    /// The transport the connection came in on: `stdio`, `unix`, or `memory` in tests.
    package var transport: String
    /// The framing of the connection, once its first bytes decided it.
    package var framing: Framing?

    package init(connectionID: UInt64, userID: String = "system", transport: String = "stdio", framing: Framing? = nil)
    {
        self.connectionID = connectionID
        self.userID = userID
        self.transport = transport
        self.framing = framing
    }
}
