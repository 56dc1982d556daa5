package import JSONRPC
package import TaskEngine

/// What a handler knows about the call besides its params: the connection it came on and who is calling.
///
/// Handlers never see the transport itself. With an ``AuthGate`` in front of the method table, the identity
/// members are filled per call from the connection's ``ConnectionIdentity`` (after `on_behalf_of`); without
/// one (in-process tests) they are whatever the context was built with.
package struct RequestContext: Sendable {
    /// A number unique to the connection for the life of the process, for logs and per-connection state.
    package var connectionID: UInt64
    /// The user the call acts as: writes are attributed to it (`created_by`, `completed_by`). With
    /// `on_behalf_of`, the user the agent acts for.
    package var user: UserID
    /// The role whose permissions and limits apply (``user``'s role).
    package var role: Role
    /// The agent acting `on_behalf_of` ``user``, recorded in history.
    package var agent: UserID?
    /// The token the connection logged in with (`nil` for the stdio user).
    package var tokenID: TokenID?
    /// How the connection proved who it is: `stdio` or `token`; `nil` before `auth.login` on a socket.
    package var authenticatedVia: String?
    /// The connection's login state, which `auth.login` rebinds; `nil` for contexts without a connection.
    package var identity: ConnectionIdentity?
    /// The transport the connection came in on: `stdio`, `unix`, or `memory` in tests.
    package var transport: String
    /// The framing of the connection, once its first bytes decided it.
    package var framing: Framing?
    /// Where server-pushed notifications (event subscriptions) go; `nil` for contexts without a connection.
    package var outbound: Outbound?

    /// A connection's way out for notifications the server pushes on its own (`events.event`).
    package struct Outbound: Sendable {
        /// Queues one message body; false when the connection is gone.
        package var send: @Sendable (_ body: [UInt8]) -> Bool
        /// Bytes queued for the peer and not written yet.
        package var unwrittenBytes: @Sendable () -> Int

        package init(
            send: @escaping @Sendable (_ body: [UInt8]) -> Bool, unwrittenBytes: @escaping @Sendable () -> Int
        ) {
            self.send = send
            self.unwrittenBytes = unwrittenBytes
        }
    }

    /// A context; without arguments it is the stdio `system` admin, as in-process tests want.
    package init(
        connectionID: UInt64, user: UserID = User.systemID, role: Role = .admin, transport: String = "stdio",
        framing: Framing? = nil, identity: ConnectionIdentity? = nil
    ) {
        self.connectionID = connectionID
        self.user = user
        self.role = role
        self.authenticatedVia = "stdio"
        self.transport = transport
        self.framing = framing
        self.identity = identity
    }

    /// The engine's view of who is calling.
    package var caller: Caller { Caller(user: user, agent: agent, role: role) }
}
