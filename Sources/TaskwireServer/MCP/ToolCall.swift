import JSON
import JSONRPC

/// `tools/call`: runs a tool's method as the caller and turns its outcome into an MCP tool result.
///
/// The method runs through the ``MethodInvoker``, so identity, permissions, rate limits and `on_behalf_of`
/// apply as if the caller had sent it; a write's ticket travels with the reply, which is sent only once the
/// write is durable. A result is `structuredContent` (the method's result, or `{"result": ...}` when that is
/// not an object) with a text copy in `content`. A failure the model can correct (invalid params, not
/// found, forbidden, conflict, too large, rate limited) is a result with `isError: true` whose text names
/// the code, the error's name and its details; failures it cannot (an unknown tool, a malformed call, no
/// credentials, the server stopping, an internal error) are JSON-RPC errors.
struct ToolCall: Sendable {
    let catalog: LazyToolCatalog
    let invoker: MethodInvoker
    let sessions: MCPSessions
    /// Paces the heartbeats of a long call with a `progressToken`.
    let ticker: ProgressTicker

    /// The error codes that stay JSON-RPC errors instead of becoming `isError` results.
    static let protocolErrorCodes: Set<Int> = [
        ErrorCode.parseError.rawValue, ErrorCode.invalidRequest.rawValue, ErrorCode.methodNotFound.rawValue,
        ErrorCode.internalError.rawValue, ErrorCode.requestCancelled.rawValue, ErrorCode.unauthorized.rawValue,
        ErrorCode.unavailable.rawValue,
    ]

    func handle(_ params: JSONValue?, _ context: RequestContext) async throws -> Reply {
        var reader = try ParamReader(params)
        let meta = try MCPRequestMeta.read(
            reader.value("_meta"), connectionID: context.connectionID, sessions: sessions)
        let name: String = try reader.required("name")
        let arguments = try reader.optional("arguments", as: JSONObject.self)
        try reader.finish()
        guard let tool = try catalog.catalog().tool(named: name) else {
            throw ResponseError.invalidParams(
                "Unknown tool: \(name). tools/list names every tool.", field: "name", error: "unknown_tool")
        }
        if let token = meta.token { try await Self.login(token, context: context, invoker: invoker) }

        let progress =
            tool.runsLong ? meta.progressToken.flatMap { token in context.outbound.map { (token, $0) } } : nil
        let outcome: Dispatcher.Outcome
        if let (token, outbound) = progress {
            let ticks = ticker.ticks()
            Self.report(token, progress: 0, message: "Running \(tool.method).", to: outbound)
            let heartbeat = Task {
                var beats = 0
                for await _ in ticks {
                    beats += 1
                    Self.report(token, progress: beats, message: "\(tool.method) is still running.", to: outbound)
                }
                return beats
            }
            outcome = await invoker.call(tool.method, params: .object(arguments ?? [:]), context: context)
            // No heartbeat may follow the last notification: wait for the heartbeat task to end first.
            heartbeat.cancel()
            let beats = await heartbeat.value + 1
            Self.report(token, progress: beats, total: beats, message: "\(tool.method) finished.", to: outbound)
        } else {
            outcome = await invoker.call(tool.method, params: .object(arguments ?? [:]), context: context)
        }
        switch outcome {
        case .success(let result, let ticket):
            let structured = tool.structuredContent(result)
            let content: JSONValue = [["type": "text", "text": .string(JSONWriter.string(structured))]]
            return Reply(
                meta.complete(["content": content, "structuredContent": structured, "isError": false]),
                after: ticket)
        case .failure(let error):
            if Self.protocolErrorCodes.contains(error.code) { throw error }
            let content: JSONValue = [["type": "text", "text": .string(Self.describe(error, tool: tool))]]
            return Reply(meta.complete(["content": content, "isError": true]))
        }
    }

    /// Logs the connection in with `token` through `auth.login` (throttled like any login); a refused token
    /// is the login's own error.
    static func login(_ token: String, context: RequestContext, invoker: MethodInvoker) async throws {
        if case .failure(let error) = await invoker.call(
            "auth.login", params: ["token": .string(token)], context: context)
        {
            throw error
        }
    }

    /// The text of a failed call, for a model: the code, the error's name, the message and the details.
    static func describe(_ error: ResponseError, tool: MCPTool) -> String {
        var text = "\(tool.name) failed with error \(error.code)"
        if let name = error.name { text += " (\(name))" }
        text += ": \(error.message)"
        if let last = text.last, !".!?".contains(last) { text += "." }
        if case .object(var details)? = error.data {
            details["error"] = nil
            if !details.isEmpty { text += " Details: \(JSONWriter.string(.object(details)))" }
        }
        return text
    }

    /// Sends one `notifications/progress`.
    static func report(
        _ token: JSONValue, progress: Int, total: Int? = nil, message: String, to outbound: RequestContext.Outbound
    ) {
        var params: JSONObject = ["progressToken": token, "progress": .int(progress)]
        params.append("total", ifPresent: total.map(JSONValue.int))
        params["message"] = .string(message)
        _ = outbound.send(
            JSONWriter.bytes(["jsonrpc": "2.0", "method": "notifications/progress", "params": .object(params)]))
    }
}
