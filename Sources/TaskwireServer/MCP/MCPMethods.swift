import JSON
import JSONRPC

/// The Model Context Protocol methods, served on the same connections as every other method (docs/mcp.md).
///
/// `server/discover` (the stateless revision's entry point), `initialize` and `notifications/initialized`
/// (the session revisions' handshake), `tools/list`, `tools/call`, and `notifications/cancelled`, whose
/// work the ``Session`` does on the reader thread as for `$/cancelRequest`. `ping` is the built-in one. All
/// open before login, so a host can discover and list before it authenticates; `tools/call` then calls
/// the tool's method as the connection's caller, where every rule applies.
enum MCPMethods {
    /// The notifications the MCP methods push: progress of a long tool call.
    static let pushedNotifications = ["notifications/progress"]

    /// The most tools one `tools/list` page holds: every tool of today's schema fits on one page.
    static let defaultPageSize = 100

    /// The declarations serving `tools` (the rest of the table) as MCP tools.
    ///
    /// `document` is the OpenRPC document the tools are generated from (the embedded schema unless a test
    /// gives one); `invoker` runs each tool's method; `sessions` remembers which connections initialized;
    /// `ticker` paces the progress heartbeats of long calls.
    static func declarations(
        tools declarations: [MethodDeclaration], document: JSONValue? = nil, invoker: MethodInvoker,
        sessions: MCPSessions, pageSize: Int = defaultPageSize, ticker: ProgressTicker = .every(.seconds(5))
    ) throws(MethodTableError) -> [MethodDeclaration] {
        let catalog: LazyToolCatalog
        if let document {
            // A document given is turned into tools at once, so whatever is wrong with it shows here.
            let built = try ToolCatalog(document: document, declarations: declarations)
            catalog = LazyToolCatalog { built }
        } else {
            catalog = LazyToolCatalog { () throws(MethodTableError) -> ToolCatalog in
                let source: JSONValue
                do {
                    source = try JSONParser.parse(OpenRPCDocument.bytes)
                } catch {
                    throw MethodTableError(message: "The embedded OpenRPC document is not valid JSON: \(error).")
                }
                return try ToolCatalog(document: source, declarations: declarations)
            }
            catalog.warm()
        }
        let call = ToolCall(catalog: catalog, invoker: invoker, sessions: sessions, ticker: ticker)
        return [
            MethodDeclaration(
                "server/discover", rateLimit: nil, opensBeforeLogin: true, readOnly: true, destructive: false,
                idempotent: true
            ) { params, context in try discover(params, context, sessions: sessions) },
            MethodDeclaration(
                "initialize", rateLimit: nil, opensBeforeLogin: true, readOnly: true, destructive: false,
                idempotent: true
            ) { params, context in
                try await initialize(params, context, sessions: sessions, invoker: invoker)
            },
            MethodDeclaration(
                "notifications/initialized", rateLimit: nil, opensBeforeLogin: true, readOnly: true,
                destructive: false, idempotent: true
            ) { params, _ in try acknowledge(params) },
            MethodDeclaration(
                "notifications/cancelled", rateLimit: nil, opensBeforeLogin: true, readOnly: true,
                destructive: false, idempotent: true
            ) { params, _ in try cancelled(params) },
            MethodDeclaration(
                "tools/list", rateLimit: nil, opensBeforeLogin: true, readOnly: true, destructive: false,
                idempotent: true
            ) { params, context in
                try listTools(params, context, catalog: catalog, sessions: sessions, pageSize: pageSize)
            },
            MethodDeclaration(
                "tools/call", rateLimit: nil, opensBeforeLogin: true, runsLong: true, readOnly: false,
                destructive: true, idempotent: false
            ) { params, context in try await call.handle(params, context) },
        ]
    }

    /// `server/discover`: the supported revisions, the capabilities and the server's identity.
    static func discover(
        _ params: JSONValue?, _ context: RequestContext, sessions: MCPSessions
    ) throws(ResponseError) -> Reply {
        var reader = try ParamReader(params)
        let meta = try MCPRequestMeta.read(
            reader.value("_meta"), connectionID: context.connectionID, sessions: sessions)
        try reader.finish()
        return Reply(
            meta.complete(
                [
                    "supportedVersions": .array(MCPProtocol.statelessVersions.map(JSONValue.string)),
                    "capabilities": MCPProtocol.capabilities,
                    "instructions": .string(MCPProtocol.instructions),
                ], cacheable: true))
    }

    /// `initialize`: opens a session on the connection with the client's version when taskwire speaks it,
    /// else with the newest session revision (the client then decides whether to go on). A token in
    /// `_meta["dev.taskwire/token"]` logs the connection in.
    static func initialize(
        _ params: JSONValue?, _ context: RequestContext, sessions: MCPSessions, invoker: MethodInvoker
    ) async throws -> Reply {
        var reader = try ParamReader(params)
        let requested: String = try reader.required("protocolVersion")
        _ = try reader.optional("capabilities", as: JSONObject.self)
        _ = try reader.optional("clientInfo", as: JSONObject.self)
        let meta = try MCPRequestMeta.read(
            reader.value("_meta"), connectionID: context.connectionID, sessions: sessions, requireEra: false)
        try reader.finish()
        if let token = meta.token { try await ToolCall.login(token, context: context, invoker: invoker) }
        let version =
            MCPProtocol.sessionVersions.contains(requested) ? requested : MCPProtocol.sessionVersions[0]
        sessions.begin(context.connectionID, version: version)
        return Reply(
            [
                "protocolVersion": .string(version),
                "capabilities": MCPProtocol.capabilities,
                "serverInfo": MCPProtocol.serverInfo,
                "instructions": .string(MCPProtocol.instructions),
            ])
    }

    /// `notifications/initialized`: the client finished the handshake; nothing more to do.
    static func acknowledge(_ params: JSONValue?) throws(ResponseError) -> Reply {
        var reader = try ParamReader(params)
        _ = reader.value("_meta")
        try reader.finish()
        return Reply(.object([:]))
    }

    /// `notifications/cancelled`: the session already cancelled the request on the reader thread; the
    /// notification is declared so its params are described and checked like any other.
    static func cancelled(_ params: JSONValue?) throws(ResponseError) -> Reply {
        var reader = try ParamReader(params)
        _ = try reader.required("requestId", as: JSONValue.self)
        _ = try reader.optional("reason", as: String.self)
        _ = reader.value("_meta")
        try reader.finish()
        return Reply(.object([:]))
    }

    /// `tools/list`: a page of tools in name order; `nextCursor` names the next page.
    static func listTools(
        _ params: JSONValue?, _ context: RequestContext, catalog: LazyToolCatalog, sessions: MCPSessions,
        pageSize: Int
    ) throws(ResponseError) -> Reply {
        var reader = try ParamReader(params)
        let cursor = try reader.optional("cursor", as: String.self)
        let meta = try MCPRequestMeta.read(
            reader.value("_meta"), connectionID: context.connectionID, sessions: sessions)
        try reader.finish()
        let page = try catalog.catalog().page(after: cursor, limit: pageSize)
        var result: JSONObject = ["tools": .array(page.tools.map(\.definition))]
        result.append("nextCursor", ifPresent: page.next.map(JSONValue.string))
        return Reply(meta.complete(result, cacheable: true))
    }
}
