import JSON
import JSONRPC

/// The methods every taskwire server answers, whatever else is registered: all read-only, open before
/// login and never rate-limited.
enum BuiltinMethods {
    /// `ping`, `rpc.discover` and `server.info`. Parses the embedded OpenRPC document once, here.
    static func declarations(info: ServerInfo) throws(MethodTableError) -> [MethodDeclaration] {
        let document: JSONValue
        do {
            document = try JSONParser.parse(OpenRPCDocument.bytes)
        } catch {
            throw MethodTableError(message: "The embedded OpenRPC document is not valid JSON: \(error).")
        }
        return [
            MethodDeclaration(
                "ping", rateLimit: nil, opensBeforeLogin: true, readOnly: true, destructive: false, idempotent: true
            ) { params, context in try ping(params, context) },
            MethodDeclaration(
                "rpc.discover", rateLimit: nil, opensBeforeLogin: true, readOnly: true, destructive: false,
                idempotent: true, handler: discover(document: document)),
            MethodDeclaration(
                "server.info", rateLimit: nil, opensBeforeLogin: true, readOnly: true, destructive: false,
                idempotent: true, handler: serverInfo(info)),
        ]
    }

    /// `ping`: takes no params (but MCP's `_meta`) and returns `{}`; a liveness check and a round-trip probe,
    /// also MCP's.
    static func ping(_ params: JSONValue?, _ context: RequestContext) throws(ResponseError) -> Reply {
        var reader = try ParamReader(params)
        _ = reader.value("_meta")
        try reader.finish()
        return Reply(.object([:]))
    }

    /// `rpc.discover`: the OpenRPC document, parsed once at start-up.
    static func discover(document: JSONValue) -> MethodDeclaration.Handler {
        { params, _ in
            try ParamReader(params).finish()
            return Reply(document)
        }
    }

    /// `server.info`: name, version, uptime, transports, this connection's framing, storage facts.
    static func serverInfo(_ info: ServerInfo) -> MethodDeclaration.Handler {
        { params, context in
            try ParamReader(params).finish()
            return Reply(await info.result(context: context))
        }
    }
}
