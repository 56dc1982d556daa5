package import JSON
package import JSONRPC

/// The Model Context Protocol facts taskwire serves: which revisions, the reserved `_meta` keys, and the
/// errors MCP defines.
///
/// Two eras of MCP ride the same connections. The stateless revision (2026-07-28) carries its protocol
/// version, client capabilities and client info in every request's `_meta`; the session revisions
/// (2025-11-25 and older) agree on a version once, with `initialize`. See docs/mcp.md.
package enum MCPProtocol {
    /// The stateless revisions: every request names one of these in `_meta`.
    package static let statelessVersions = ["2026-07-28"]
    /// The session revisions `initialize` agrees on, newest first; the first is answered when a client asks
    /// for one taskwire does not know.
    package static let sessionVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
    /// Every revision, for the `supported` list of -32022: a client that cannot speak the stateless one
    /// learns it may fall back to `initialize`.
    package static var allVersions: [String] { statelessVersions + sessionVersions }

    /// `_meta` key of the request's protocol version (stateless revision).
    package static let protocolVersionKey = "io.modelcontextprotocol/protocolVersion"
    /// `_meta` key of the client's capabilities (stateless revision).
    package static let clientCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities"
    /// `_meta` key of the client's name and version.
    package static let clientInfoKey = "io.modelcontextprotocol/clientInfo"
    /// `_meta` key under which results name the server.
    package static let serverInfoKey = "io.modelcontextprotocol/serverInfo"
    /// taskwire's own `_meta` key: a bearer token that logs the connection in, as `auth.login` does.
    package static let tokenKey = "dev.taskwire/token"

    /// How long, in milliseconds, a client may keep `server/discover` and `tools/list` results: the tools
    /// change only when the server is upgraded, which restarts it.
    package static let cacheMilliseconds = 3_600_000

    /// What clients are told about the server in `server/discover` and `initialize`.
    package static let instructions = """
        taskwire keeps tasks, comments, attachments, templates, workflows and automations for chat bots. \
        Each tool is one taskwire JSON-RPC method with its dots written as underscores (tasks_create is \
        tasks.create); arguments use the method's snake_case param names. Ids are opaque strings with a \
        prefix (tsk_ for tasks, wf_ for workflows, tpl_ for templates). A failed call returns isError with the \
        error's code, its name (such as task_not_found) and details to correct the next call.
        """

    /// The server's `Implementation` object (`serverInfo`).
    package static var serverInfo: JSONValue {
        ["name": "taskwire", "title": "taskwire", "version": .string(TaskwireVersion.current)]
    }

    /// The `capabilities` the server declares: tools only, and a tool list that never changes while it runs.
    package static var capabilities: JSONValue { ["tools": ["listChanged": false]] }

    /// -32022 for a request naming a protocol version taskwire does not serve statelessly.
    package static func unsupportedVersion(_ requested: String) -> ResponseError {
        ResponseError(
            code: -32022,
            message: "Unsupported protocol version \(requested); this server speaks "
                + "\(statelessVersions.joined(separator: ", ")) per request, and "
                + "\(sessionVersions.joined(separator: ", ")) through initialize.",
            data: [
                "supported": .array(allVersions.map(JSONValue.string)), "requested": .string(requested),
                "error": "unsupported_protocol_version",
            ])
    }
}
