/// What a handler knows about the call besides its params: the connection it came on.
///
/// The identity work adds the calling principal here; handlers never see the transport itself.
package struct RequestContext: Sendable {
    /// A number unique to the connection for the life of the process, for logs and per-connection state.
    package var connectionID: UInt64

    package init(connectionID: UInt64) {
        self.connectionID = connectionID
    }
}
