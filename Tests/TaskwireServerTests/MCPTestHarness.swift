import JSON
import JSONRPC
import Locking
import TaskEngine
import TaskStore
import TaskwireLog
import TestSupport

@testable import TaskwireServer

/// A session over a table with the MCP methods, whose invoker is bound to the session's dispatcher, and
/// whose replies and pushed notifications arrive in one inbox, in the order they were sent.
struct MCPHarness {
    let session: Session
    let table: MethodTable
    let sessions: MCPSessions
    let sent = FrameInbox()

    /// The product table on a fresh in-memory engine.
    static func product() throws -> MCPHarness {
        let invoker = MethodInvoker()
        let sessions = MCPSessions()
        let table = try MethodTable.product(
            info: ServerInfo(transports: ["stdio"], dataDirectory: nil, durability: "none"),
            engine: try Engine.open(store: MemoryStore()), invoker: invoker, mcp: sessions)
        return MCPHarness(table: table, invoker: invoker, sessions: sessions)
    }

    /// `declarations` as tools, described by `document`, plus the MCP methods.
    static func tools(
        _ declarations: [MethodDeclaration], document: JSONValue, pageSize: Int = MCPMethods.defaultPageSize,
        ticker: ProgressTicker = .every(.seconds(3600))
    ) throws -> MCPHarness {
        let invoker = MethodInvoker()
        let sessions = MCPSessions()
        let table = try MethodTable(
            declarations
                + MCPMethods.declarations(
                    tools: declarations, document: document, invoker: invoker, sessions: sessions, pageSize: pageSize,
                    ticker: ticker))
        return MCPHarness(table: table, invoker: invoker, sessions: sessions)
    }

    private init(table: MethodTable, invoker: MethodInvoker, sessions: MCPSessions) {
        self.table = table
        self.sessions = sessions
        let dispatcher = Dispatcher(methods: table, logger: Logger(label: "test", level: .error) { _ in })
        invoker.bind(dispatcher)
        var context = RequestContext(connectionID: 1, transport: "memory")
        let sent = self.sent
        context.outbound = RequestContext.Outbound(
            send: { body in
                sent.push(body)
                return true
            }, unwrittenBytes: { 0 })
        session = Session(dispatcher: dispatcher, context: context) { sent.push($0) }
    }

    /// The `_meta` of a stateless (2026-07-28) request, with `extra` members.
    static func meta(_ extra: JSONObject = [:]) -> JSONValue {
        var meta: JSONObject = [
            MCPProtocol.protocolVersionKey: "2026-07-28", MCPProtocol.clientCapabilitiesKey: [:],
            MCPProtocol.clientInfoKey: ["name": "test", "version": "1"],
        ]
        for member in extra.members { meta[member.key] = member.value }
        return .object(meta)
    }

    func send(_ message: JSONValue) { session.receive(body: JSONWriter.bytes(message)) }

    /// Sends a request and returns the next message the session sends.
    func request(_ id: Int, _ method: String, _ params: JSONValue?) async throws -> JSONValue {
        var message: JSONObject = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method)]
        message.append("params", ifPresent: params)
        send(.object(message))
        return try await next()
    }

    /// The next message sent: a reply or a pushed notification.
    func next() async throws -> JSONValue {
        guard let body = try await sent.next(timeout: .seconds(60), what: "a message from the session") else {
            throw TestSupportError("the session sent nothing more")
        }
        return try JSONParser.parse(body)
    }

    /// A stateless `tools/call` and its reply.
    func call(_ id: Int, _ tool: String, _ arguments: JSONValue, meta: JSONObject = [:]) async throws -> JSONValue {
        try await request(id, "tools/call", ["name": .string(tool), "arguments": arguments, "_meta": Self.meta(meta)])
    }
}

/// A progress ticker the test ticks by hand.
final class ManualTicker: Sendable {
    private let continuation = Mutex<AsyncStream<Void>.Continuation?>(nil)

    var ticker: ProgressTicker {
        ProgressTicker { [self] in AsyncStream { stream in continuation.withLock { $0 = stream } } }
    }

    /// One heartbeat for the call listening now.
    func tick() { _ = continuation.withLock { $0 }?.yield() }
}
