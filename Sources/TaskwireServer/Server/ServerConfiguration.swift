import JSONRPC
package import TaskEngine
package import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// How a ``Server`` listens and the limits it enforces.
package struct ServerConfiguration: Sendable {
    /// Whether to serve the process's stdin/stdout.
    package var stdio: Bool
    /// The Unix socket to listen on, if any.
    package var socketPath: String?
    /// Framing and per-connection limits.
    package var connection: Connection.Configuration
    /// The most members one batch may hold.
    package var maxBatchMembers: Int
    /// How long shutdown waits for running requests before cancelling them.
    package var drainTimeout: Duration
    /// How long shutdown waits for each connection's queued replies to be written.
    package var flushTimeout: Duration
    /// The user a stdio connection acts as until it logs in (`--stdio-user`).
    package var stdioUser = User.systemID
    /// The most socket connections open at once (`--max-connections`); one more is refused with an error.
    package var maxConnections = ServerConfiguration.defaultMaxConnections

    /// The default connection limit: 10,000, or fewer when the descriptor limit cannot hold that many.
    package static var defaultMaxConnections: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else {
            return 10_000
        }
        // Keep descriptors for the store, the listener and the log.
        return max(1, min(10_000, Int(limit.rlim_cur) - 64))
    }

    /// A configuration; limits default to the documented values.
    package init(
        stdio: Bool = true,
        socketPath: String? = nil,
        connection: Connection.Configuration = Connection.Configuration(),
        maxBatchMembers: Int = IncomingBody.defaultMaxBatchMembers,
        drainTimeout: Duration = .seconds(10),
        flushTimeout: Duration = .seconds(5)
    ) {
        self.stdio = stdio
        self.socketPath = socketPath
        self.connection = connection
        self.maxBatchMembers = maxBatchMembers
        self.drainTimeout = drainTimeout
        self.flushTimeout = flushTimeout
    }

    /// The transports in use, as `server.info` names them.
    package var transports: [String] {
        var names: [String] = []
        if stdio { names.append("stdio") }
        if socketPath != nil { names.append("unix") }
        return names
    }
}
