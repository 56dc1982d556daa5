import Locking

/// The connections that opened an MCP session with `initialize` (revisions 2025-11-25 and older), and the
/// version each agreed on.
///
/// A session-era client sends no protocol version with its requests, so the server remembers, per
/// connection, that `initialize` happened; a request without `_meta` on a connection that never initialized
/// is a malformed stateless request instead. The launcher forgets a connection when it closes.
package final class MCPSessions: Sendable {
    private let versions = Mutex<[UInt64: String]>([:])

    /// No sessions yet.
    package init() {}

    /// Records that `connectionID` initialized with `version`.
    func begin(_ connectionID: UInt64, version: String) {
        versions.withLock { $0[connectionID] = version }
    }

    /// The version the connection agreed on, or `nil` when it never sent `initialize`.
    func version(of connectionID: UInt64) -> String? {
        versions.withLock { $0[connectionID] }
    }

    /// Forgets a connection that closed.
    package func connectionClosed(_ connectionID: UInt64) {
        _ = versions.withLock { $0.removeValue(forKey: connectionID) }
    }

    /// The number of connections with a session, for tests.
    var count: Int { versions.withLock { $0.count } }
}
