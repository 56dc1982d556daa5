import JSON
import JSONRPC
import TaskEngine
import TaskStore
import TestSupport
import Testing

@testable import TaskwireServer

/// The MCP methods over a session: both eras' handshakes, `_meta` checks, tool listing and calls.
struct MCPMethodsTests {
    @Test func discoverAnswersTheStatelessRevisionWithCachingHints() async throws {
        let mcp = try MCPHarness.product()
        let reply = try await mcp.request(1, "server/discover", ["_meta": MCPHarness.meta()])
        let result = try #require(reply["result"])
        #expect(result["resultType"] == "complete")
        #expect(result["supportedVersions"] == ["2026-07-28"])
        #expect(result["capabilities"]?["tools"]?.objectValue != nil)
        #expect(result["ttlMs"]?.intValue == MCPProtocol.cacheMilliseconds)
        #expect(result["cacheScope"] == "public")
        #expect(result["_meta"]?[MCPProtocol.serverInfoKey]?["name"] == "taskwire")
        #expect(result["instructions"]?.stringValue?.contains("tasks_create") == true)
    }

    @Test(arguments: ["1900-01-01", "2025-11-25", "draft"])
    func anUnsupportedVersionIsMinus32022NamingBothLists(version: String) async throws {
        let mcp = try MCPHarness.product()
        for (id, method) in ["server/discover", "tools/list", "tools/call"].enumerated() {
            let meta = MCPHarness.meta([MCPProtocol.protocolVersionKey: .string(version)])
            let params: JSONValue = ["name": "tasks_list", "_meta": meta]
            let reply = try await mcp.request(id, method, params.filtered(for: method))
            let error = try #require(reply["error"])
            #expect(error["code"] == -32022)
            #expect(error["data"]?["requested"] == .string(version))
            #expect(error["data"]?["supported"] == .array(MCPProtocol.allVersions.map(JSONValue.string)))
        }
    }

    @Test func aStatelessRequestWithoutItsRequiredMetaIsInvalidParams() async throws {
        let mcp = try MCPHarness.product()
        let noCapabilities: JSONValue = ["_meta": [MCPProtocol.protocolVersionKey: "2026-07-28"]]
        for (id, params) in [noCapabilities, [:], ["_meta": "x"]].enumerated() {
            let reply = try await mcp.request(id, "tools/list", params)
            #expect(reply["error"]?["code"] == -32602, "\(params)")
            #expect(reply["error"]?["data"]?["field"] == "_meta")
        }
    }

    @Test func initializeOpensASessionThatNeedsNoMeta() async throws {
        let mcp = try MCPHarness.product()
        let initialized = try await mcp.request(
            1, "initialize",
            ["protocolVersion": "2025-06-18", "capabilities": [:], "clientInfo": ["name": "old", "version": "1"]])
        #expect(initialized["result"]?["protocolVersion"] == "2025-06-18")
        #expect(initialized["result"]?["serverInfo"]?["version"] == .string(TaskwireVersion.current))
        #expect(initialized["result"]?["capabilities"]?["tools"]?.objectValue != nil)
        mcp.send(["jsonrpc": "2.0", "method": "notifications/initialized"])
        let listed = try await mcp.request(2, "tools/list", nil)
        let result = try #require(listed["result"])
        #expect(result["tools"]?.arrayValue?.isEmpty == false)
        // The session revisions know no resultType nor caching hints.
        #expect(result["resultType"] == nil && result["ttlMs"] == nil)
        #expect(mcp.sessions.count == 1)
        mcp.sessions.connectionClosed(1)
        #expect(mcp.sessions.count == 0)
    }

    @Test func initializeWithAnUnknownVersionAnswersTheNewestSessionRevision() async throws {
        let mcp = try MCPHarness.product()
        let reply = try await mcp.request(1, "initialize", ["protocolVersion": "2099-01-01", "capabilities": [:]])
        #expect(reply["result"]?["protocolVersion"] == "2025-11-25")
        let missing = try await mcp.request(2, "initialize", ["capabilities": [:]])
        #expect(missing["error"]?["data"]?["field"] == "protocolVersion")
    }

    @Test func toolsListPagesThroughEveryToolWithOpaqueCursors() async throws {
        let mcp = try MCPHarness.product()
        let everything = try #require(
            try await mcp.request(1, "tools/list", ["_meta": MCPHarness.meta()])["result"]?["tools"]?.arrayValue)
        let paged = try MCPHarness.tools(
            MCPHarness.product().table.all.filter { !$0.name.contains("/") && $0.name != "initialize" },
            document: JSONParser.parse(OpenRPCDocument.bytes), pageSize: 5)
        var names: [String] = []
        var cursor: JSONValue?
        var id = 0
        repeat {
            id += 1
            var params: JSONObject = ["_meta": MCPHarness.meta()]
            params.append("cursor", ifPresent: cursor)
            let result = try #require(try await paged.request(id, "tools/list", .object(params))["result"])
            let tools = try #require(result["tools"]?.arrayValue)
            #expect(tools.count <= 5)
            #expect(result["ttlMs"] != nil)
            names += tools.compactMap { $0["name"]?.stringValue }
            cursor = result["nextCursor"]
        } while cursor != nil && id < 100
        #expect(names == everything.compactMap { $0["name"]?.stringValue })
        #expect(names == names.sorted())
        for bad in ["", "t1.zz", "t1.6e6f", "tasks_get"] {
            let reply = try await paged.request(
                999, "tools/list", ["cursor": .string(bad), "_meta": MCPHarness.meta()])
            #expect(reply["error"]?["code"] == -32602, "\(bad)")
            #expect(reply["error"]?["data"]?["error"] == "invalid_cursor")
        }
    }

    @Test func aToolCallCreatesCompletesAndReadsThroughTheMethods() async throws {
        let mcp = try MCPHarness.product()
        let created = try #require(try await mcp.call(1, "tasks_create", ["title": "Call back"])["result"])
        #expect(created["isError"] == false)
        #expect(created["resultType"] == "complete")
        let task = try #require(created["structuredContent"])
        let id = try #require(task["task_id"]?.stringValue)
        #expect(task["created_by"] == "system")
        let text = try #require(Self.text(of: created))
        #expect(try JSONParser.parse(text) == task)
        _ = try await mcp.call(2, "tasks_update", ["task_id": .string(id), "status": "in_progress"])
        let completed = try #require(try await mcp.call(3, "tasks_complete", ["task_id": .string(id)])["result"])
        #expect(completed["isError"] == false)
        #expect(completed["structuredContent"]?["status"] == "completed")
        let read = try #require(try await mcp.call(4, "tasks_get", ["task_id": .string(id)])["result"])
        #expect(read["structuredContent"]?["completed_by"] == "system")
    }

    @Test func aDomainErrorIsAResultTheModelCanActOn() async throws {
        let mcp = try MCPHarness.product()
        let missing = try #require(try await mcp.call(1, "tasks_get", ["task_id": "tsk_0000000000000"])["result"])
        #expect(missing["isError"] == true)
        #expect(missing["structuredContent"] == nil)
        let text = try #require(Self.text(of: missing))
        #expect(text.contains("404") && text.contains("task_not_found") && text.contains("tsk_0000000000000"))
        let invalid = try #require(try await mcp.call(2, "tasks_create", ["title": "x", "prioity": "high"])["result"])
        #expect(invalid["isError"] == true)
        #expect(Self.text(of: invalid)?.contains("prioity") == true)
    }

    @Test func anUnknownToolOrAMalformedCallIsAJSONRPCError() async throws {
        let mcp = try MCPHarness.product()
        let unknown = try await mcp.call(1, "tasks_frobnicate", [:])
        #expect(unknown["error"]?["code"] == -32602)
        #expect(unknown["error"]?["data"]?["error"] == "unknown_tool")
        let dotted = try await mcp.call(2, "tasks.get", [:])
        #expect(dotted["error"]?["data"]?["error"] == "unknown_tool")
        let notObject = try await mcp.call(3, "tasks_list", [1, 2])
        #expect(notObject["error"]?["data"]?["field"] == "arguments")
        let noName = try await mcp.request(4, "tools/call", ["arguments": [:], "_meta": MCPHarness.meta()])
        #expect(noName["error"]?["data"]?["field"] == "name")
        let excluded = try await mcp.call(5, "auth_login", ["token": "x"])
        #expect(excluded["error"]?["data"]?["error"] == "unknown_tool")
    }

    @Test func notificationsCancelledStopsARunningToolCall() async throws {
        let started = FrameInbox()
        let slow = MethodDeclaration.test("slow.op", runsLong: true) { _, _ in
            started.push([])
            try await Task.sleep(for: .seconds(3600))
            return Reply("not cancelled")
        }
        let mcp = try MCPHarness.tools([slow], document: Self.document(["slow.op"]))
        mcp.send([
            "jsonrpc": "2.0", "id": "c1", "method": "tools/call",
            "params": ["name": "slow_op", "_meta": MCPHarness.meta()],
        ])
        _ = try await started.next(timeout: .seconds(60), what: "slow.op to start")
        mcp.send([
            "jsonrpc": "2.0", "method": "notifications/cancelled", "params": ["requestId": "c1", "reason": "user"],
        ])
        let reply = try await mcp.next()
        #expect(reply["id"] == "c1")
        #expect(reply["error"]?["code"] == .int(-32800))
        #expect(mcp.session.pendingRequests == 0)
    }

    @Test func aLongToolReportsProgressWhenAskedAndOnlyThen() async throws {
        let quick = MethodDeclaration.test("quick.op", runsLong: true) { _, _ in Reply("done") }
        let mcp = try MCPHarness.tools([quick], document: Self.document(["quick.op"]))
        mcp.send(
            [
                "jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": ["name": "quick_op", "_meta": MCPHarness.meta(["progressToken": "p1"])],
            ])
        let first = try await mcp.next()
        #expect(first["method"] == "notifications/progress")
        #expect(first["params"]?["progressToken"] == "p1" && first["params"]?["progress"] == 0)
        let second = try await mcp.next()
        #expect(second["params"]?["progress"] == 1 && second["params"]?["total"] == 1)
        let reply = try await mcp.next()
        #expect(reply["id"] == 1)
        // A result that is not an object travels wrapped, as the tool's outputSchema says.
        #expect(reply["result"]?["structuredContent"] == ["result": "done"])
        let quiet = try await mcp.call(2, "quick_op", [:])
        #expect(quiet["id"] == 2)
    }

    @Test func aLongToolSendsHeartbeatsUntilItFinishes() async throws {
        let release = FrameInbox()
        let long = MethodDeclaration.test("long.op", runsLong: true) { _, _ in
            _ = try await release.next(timeout: .seconds(60), what: "the test to release long.op")
            return Reply("done")
        }
        let ticker = ManualTicker()
        let mcp = try MCPHarness.tools([long], document: Self.document(["long.op"]), ticker: ticker.ticker)
        mcp.send(
            [
                "jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": ["name": "long_op", "_meta": MCPHarness.meta(["progressToken": 7])],
            ])
        #expect(try await mcp.next()["params"]?["progress"] == 0)
        ticker.tick()
        let beat = try await mcp.next()
        #expect(beat["params"]?["progress"] == 1 && beat["params"]?["total"] == nil)
        #expect(beat["params"]?["progressToken"] == 7)
        ticker.tick()
        #expect(try await mcp.next()["params"]?["progress"] == 2)
        release.push([])
        let last = try await mcp.next()
        #expect(last["params"]?["progress"] == 3 && last["params"]?["total"] == 3)
        #expect(try await mcp.next()["result"]?["structuredContent"] == ["result": "done"])
    }

    /// The text of a tool result's first content block.
    static func text(of result: JSONValue) -> String? {
        result["content"]?.arrayValue?.first?["text"]?.stringValue
    }

    /// An OpenRPC document describing `methods`, each with no params and a string result.
    static func document(_ methods: [String]) -> JSONValue {
        [
            "methods": .array(
                methods.map { name in
                    [
                        "name": .string(name), "summary": "A test method.", "params": [],
                        "result": ["name": "r", "schema": ["type": "string"]],
                    ]
                }),
            "components": ["schemas": [:]],
        ]
    }
}

extension JSONValue {
    /// The params of `method` among `tools/call`'s: only `tools/call` takes a `name`.
    fileprivate func filtered(for method: String) -> JSONValue {
        guard method != "tools/call", case .object(var object) = self else { return self }
        object["name"] = nil
        return .object(object)
    }
}
