import JSON
import JSONRPC
import StoreTestSupport
import TaskEngine
import TaskStore
import TaskwireLog
import Testing

@testable import TaskwireServer

/// `tools/call` behind the auth gate: a socket connection must log in, and the tool's method runs as the
/// caller with its permissions, `on_behalf_of` and rate limits.
@Suite(.closesTestStores)
struct MCPAuthTests: GatedDispatcherSuite {
    let clock = ManualTimeSource("2024-01-15T10:00:00Z")
    let engine: Engine
    let dispatcher: Dispatcher

    init() async throws {
        engine = try Engine.open(store: try TestStore.make(), clock: clock)
        let invoker = MethodInvoker()
        let table = try MethodTable.product(
            info: ServerInfo(transports: ["unix"], dataDirectory: nil, durability: "none"), engine: engine,
            invoker: invoker)
        dispatcher = .gated(table, engine: engine, clock: clock, limits: ["create=1/hour"])
        invoker.bind(dispatcher)
    }

    func tool(
        _ name: String, _ arguments: JSONValue, meta: JSONObject = [:], on context: RequestContext
    ) async
        -> Result<JSONValue, ResponseError>
    {
        await call(
            "tools/call", ["name": .string(name), "arguments": arguments, "_meta": MCPHarness.meta(meta)], on: context)
    }

    /// A member `ann` and an agent `bot`, with a token each.
    func tokens() async throws -> [String: String] {
        let admin = RequestContext(
            connectionID: 1, identity: ConnectionIdentity(.init(user: User.systemID, via: "stdio")))
        var tokens: [String: String] = [:]
        for (id, role) in [("ann", "member"), ("bot", "agent")] {
            _ = try await call(
                "users.upsert", ["user_id": .string(id), "name": .string(id), "role": .string(role)], on: admin
            ).get()
            let issued = try await call("auth.tokens.create", ["user_id": .string(id), "label": "mcp"], on: admin).get()
            tokens[id] = issued["token"]?.stringValue
        }
        return tokens
    }

    func socket(_ id: UInt64) -> RequestContext {
        RequestContext(connectionID: id, transport: "unix", identity: ConnectionIdentity(nil))
    }

    @Test func aSocketListsToolsButMustLogInToCallOne() async throws {
        let context = socket(2)
        let listed = try await call("tools/list", ["_meta": MCPHarness.meta()], on: context).get()
        #expect(listed["tools"]?.arrayValue?.isEmpty == false)
        let refused = await tool("tasks_list", [:], on: context)
        #expect(refused.failureCode == 401)
        if case .failure(let error) = refused { #expect(error.name == "unauthorized") }
    }

    @Test func aMetaTokenLogsTheConnectionIn() async throws {
        let tokens = try await tokens()
        let context = socket(3)
        let refused = await tool("tasks_list", [:], on: context)
        #expect(refused.failureCode == 401)
        let bad = await tool("tasks_list", [:], meta: [MCPProtocol.tokenKey: "tw_nope"], on: context)
        #expect(bad.failureCode == 401)
        let created = try await tool(
            "tasks_create", ["title": "Mine"], meta: [MCPProtocol.tokenKey: .string(tokens["ann"] ?? "")], on: context
        ).get()
        #expect(created["structuredContent"]?["created_by"] == "ann")
        let again = try await tool("auth_whoami", [:], on: context).get()
        #expect(again["structuredContent"]?["user_id"] == "ann")
    }

    @Test func onBehalfOfAndRateLimitsApplyToTheToolsMethod() async throws {
        let tokens = try await tokens()
        let context = socket(4)
        let meta: JSONObject = [MCPProtocol.tokenKey: .string(tokens["bot"] ?? "")]
        let first = try await tool(
            "tasks_create", ["title": "For Ann", "on_behalf_of": "ann"], meta: meta, on: context
        ).get()
        #expect(first["structuredContent"]?["created_by"] == "ann")
        // create=1/hour counts against ann, whom the agent acts for: the second is a result the model reads.
        let second = try await tool("tasks_create", ["title": "Again", "on_behalf_of": "ann"], meta: meta, on: context)
            .get()
        #expect(second["isError"] == true)
        let text = MCPMethodsTests.text(of: second) ?? ""
        #expect(text.contains("429") && text.contains("rate_limited") && text.contains("retry_after_seconds"))
        // A member may not act for anyone: the method's own 403, as a result.
        let member = socket(5)
        let denied = try await tool(
            "tasks_list", ["on_behalf_of": "bot"], meta: [MCPProtocol.tokenKey: .string(tokens["ann"] ?? "")],
            on: member
        ).get()
        #expect(denied["isError"] == true)
        #expect(MCPMethodsTests.text(of: denied)?.contains("permission_denied") == true)
    }
}

extension Result where Success == JSONValue, Failure == ResponseError {
    /// The error code of a failure, or `nil` for a success.
    var failureCode: Int? {
        if case .failure(let error) = self { return error.code }
        return nil
    }
}
