import JSON
import JSONRPC

/// What an MCP request's `_meta` says, once checked: which era it speaks, whether it wants progress, and
/// the token it logs in with.
struct MCPRequestMeta: Sendable {
    /// How the request negotiated its protocol.
    enum Era: Sendable, Equatable {
        /// The stateless revision named in the request's own `_meta`.
        case stateless(String)
        /// A session revision agreed on by the connection's `initialize`.
        case session(String)
    }

    /// The era; `nil` only for `initialize` itself on a connection without a session.
    var era: Era?
    /// `_meta.progressToken`: the caller wants `notifications/progress` for this request.
    var progressToken: JSONValue?
    /// `_meta["dev.taskwire/token"]`: a bearer token to log the connection in with first.
    var token: String?

    /// Reads `_meta` of a request on `connectionID`.
    ///
    /// A stateless request must name a supported version (else -32022) and its client capabilities (else
    /// -32602). A request without a version belongs to the connection's session; without one, and when
    /// `requireEra` is set, it is a malformed stateless request (-32602).
    static func read(
        _ meta: JSONValue?, connectionID: UInt64, sessions: MCPSessions, requireEra: Bool = true
    ) throws(ResponseError) -> MCPRequestMeta {
        var result = MCPRequestMeta()
        let object: JSONObject
        switch meta {
        case nil, .null?: object = [:]
        case .object(let value)?: object = value
        default: throw .invalidParams("Field _meta must be an object.", field: "_meta")
        }
        if let raw = object[MCPProtocol.protocolVersionKey] {
            guard let version = raw.stringValue else {
                throw .invalidParams(
                    "_meta.\(MCPProtocol.protocolVersionKey) must be a string.", field: "_meta")
            }
            guard MCPProtocol.statelessVersions.contains(version) else {
                throw MCPProtocol.unsupportedVersion(version)
            }
            guard object[MCPProtocol.clientCapabilitiesKey]?.objectValue != nil else {
                throw .invalidParams(
                    "_meta.\(MCPProtocol.clientCapabilitiesKey) is required (an object) with a protocol version.",
                    field: "_meta")
            }
            if let info = object[MCPProtocol.clientInfoKey], info.objectValue == nil {
                throw .invalidParams("_meta.\(MCPProtocol.clientInfoKey) must be an object.", field: "_meta")
            }
            result.era = .stateless(version)
        } else if let version = sessions.version(of: connectionID) {
            result.era = .session(version)
        } else if requireEra {
            throw .invalidParams(
                "The request names no protocol version: send _meta with \(MCPProtocol.protocolVersionKey) and "
                    + "\(MCPProtocol.clientCapabilitiesKey) (revision 2026-07-28), or initialize first "
                    + "(2025-11-25 and older).",
                field: "_meta")
        }
        if let token = object["progressToken"] {
            guard token.stringValue != nil || token.intValue != nil else {
                throw .invalidParams("_meta.progressToken must be a string or an integer.", field: "_meta")
            }
            result.progressToken = token
        }
        if let token = object[MCPProtocol.tokenKey] {
            guard let secret = token.stringValue else {
                throw .invalidParams("_meta.\(MCPProtocol.tokenKey) must be a string.", field: "_meta")
            }
            result.token = secret
        }
        return result
    }

    /// `result` as this era's result: the stateless revision adds `resultType` and the server's identity,
    /// and for `cacheable` results (`server/discover`, `tools/list`) the caching hints.
    func complete(_ result: JSONObject, cacheable: Bool = false) -> JSONValue {
        guard case .stateless? = era else { return .object(result) }
        var result = result
        result["resultType"] = "complete"
        if cacheable {
            result["ttlMs"] = .int(MCPProtocol.cacheMilliseconds)
            result["cacheScope"] = "public"
        }
        var meta = result["_meta"]?.objectValue ?? [:]
        meta[MCPProtocol.serverInfoKey] = MCPProtocol.serverInfo
        result["_meta"] = .object(meta)
        return .object(result)
    }
}
