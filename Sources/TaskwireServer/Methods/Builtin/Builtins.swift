import JSON
import JSONRPC

/// The methods every taskwire server answers, whatever else is registered.
enum Builtins {
    /// `ping`: takes no params and returns `{}`; a liveness check and a round-trip probe.
    static func ping(_ params: JSONValue?, _ context: RequestContext) throws(ResponseError) -> Reply {
        try ParamReader(params).finish()
        return Reply(.object([:]))
    }

    /// `rpc.discover`: the OpenRPC document, parsed once at start-up.
    static func discover(document: JSONValue) -> MethodTable.Handler {
        { params, _ in
            try ParamReader(params).finish()
            return Reply(document)
        }
    }

    /// `server.info`: name, version, uptime, transports, this connection's framing, storage facts.
    static func serverInfo(_ info: ServerInfo) -> MethodTable.Handler {
        { params, context in
            try ParamReader(params).finish()
            return Reply(await info.result(context: context))
        }
    }
}
