import JSON
import JSONRPC
import StoreTestSupport
import TaskEngine
import TaskStore
import TaskwireLog
import TestSupport
import Testing

@testable import TaskwireServer

/// `basic.run` through the dispatcher, as connections see it: the spec's snippet on a real engine, the
/// caller's permissions and `on_behalf_of` on every keyword, and syntax and runtime errors on the wire.
@Suite(.closesTestStores)
struct BasicMethodsTests: GatedDispatcherSuite {
    let clock = ManualTimeSource("2024-01-15T10:00:00Z")
    let engine: Engine
    let dispatcher: Dispatcher

    init() async throws {
        engine = try Engine.open(store: try TestStore.make(), clock: clock)
        let invoker = MethodInvoker()
        let table = try MethodTable(
            BuiltinMethods.declarations(
                info: ServerInfo(transports: ["stdio", "unix"], dataDirectory: nil, durability: "none"))
                + TaskMethods.declarations(engine: engine)
                + IdentityMethods.declarations(engine: engine, clock: clock)
                + CollaborationMethods.declarations(engine: engine)
                + BasicMethods.declarations(invoker: invoker, clock: clock))
        dispatcher = .gated(table, engine: engine, clock: clock, limits: ["create=2/hour"])
        invoker.bind(dispatcher)
    }

    /// The spec's snippet, byte for byte (tasks-api.md, "Integration with BASIC").
    static let specSnippet = SpecExamples.basic

    func stdio() -> RequestContext {
        RequestContext(
            connectionID: 1, identity: ConnectionIdentity(.init(user: User.systemID, via: "stdio")))
    }

    func run(_ source: String, on context: RequestContext) async throws -> JSONValue {
        try await result("basic.run", ["source": .string(source)], on: context)
    }

    /// A socket connection logged in as a new user of `role`.
    func loggedIn(_ user: String, role: String) async throws -> RequestContext {
        _ = try await result(
            "users.upsert", ["user_id": .string(user), "name": .string(user), "role": .string(role)],
            on: stdio())
        let issued = try await result("auth.tokens.create", ["user_id": .string(user)], on: stdio())
        let context = RequestContext(
            connectionID: 2, transport: "unix", identity: ConnectionIdentity(nil))
        _ = try await result("auth.login", ["token": issued["token"] ?? .null], on: context)
        return context
    }

    @Test func theSpecSnippetCreatesTheTaskWithItsPriorityAndDueDate() async throws {
        _ = try await result(
            "users.upsert", ["user_id": "user456", "name": "Jane Smith", "role": "member"], on: stdio())
        let reply = try await run(Self.specSnippet, on: stdio())
        #expect(reply["talk"] == [])
        let id = try #require(reply["variables"]?["task_id"]?.stringValue)
        #expect(id.hasPrefix("tsk_"))
        #expect(reply["variables"] == ["task_id": .string(id), "status": "pending"])
        #expect(reply["steps"] == 5 && reply["calls"] == 4)
        let task = try await result("tasks.get", ["task_id": .string(id)], on: stdio())
        #expect(task["title"] == "Follow up with customer" && task["priority"] == "high")
        #expect(task["assignee"]?["user_id"] == "user456")
        #expect(task["due_date"] == "2024-01-16T10:00:00Z")
        #expect(task["created_by"] == "system")
    }

    @Test func theSnippetTalksOnceTheTaskIsCompleted() async throws {
        let source = """
            task_id = CREATE TASK "Follow up with customer"
            COMPLETE TASK task_id, "Called back"
            status = GET TASK STATUS task_id
            IF status = "completed" THEN
            TALK "Task has been completed"
            END IF
            """
        let reply = try await run(source, on: stdio())
        #expect(reply["talk"] == ["Task has been completed"])
        let task = try await result(
            "tasks.get", ["task_id": reply["variables"]?["task_id"] ?? .null], on: stdio())
        #expect(task["status"] == "completed" && task["resolution"] == "Called back")
    }

    @Test func aMemberScriptHasTheMembersRightsOnEveryKeyword() async throws {
        let bob = try await loggedIn("bob", role: "member")
        let bobs = try await run("id = CREATE TASK \"Bob's\"", on: bob)["variables"]?["id"] ?? .null
        let ann = try await loggedIn("ann", role: "member")
        let source =
            "mine = CREATE TASK \"Ann's\"\nSET TASK PRIORITY mine, \"high\"\nSET TASK PRIORITY theirs, \"high\""
        let refused = try #require(
            await error("basic.run", ["source": .string(source), "variables": ["theirs": bobs]], on: ann))
        #expect(refused.code == -32602 && refused.name == "basic_runtime_error")
        #expect(refused.data?["line"] == 3 && refused.data?["column"] == 1)
        #expect(refused.data?["method"] == "tasks.update")
        #expect(refused.data?["talk"] == [])
        #expect(refused.data?["cause"]?["code"] == 403)
        #expect(refused.data?["cause"]?["data"]?["error"] == "permission_denied")
        #expect(refused.message.hasPrefix("line 3, column 1: SET TASK PRIORITY failed: "))
        // The statements before the error took effect, as Ann.
        let mine = try await result("tasks.list", ["created_by": "ann"], on: stdio())
        #expect(mine["tasks"]?.arrayValue?.first?["priority"] == "high")
        #expect(try await result("tasks.get", ["task_id": bobs], on: stdio())["priority"] == "medium")
    }

    @Test func anAgentsOnBehalfOfAppliesToEveryInnerCall() async throws {
        _ = try await loggedIn("ann", role: "member")
        let bot = try await loggedIn("bot", role: "agent")
        let reply = try await result(
            "basic.run",
            ["source": "id = CREATE TASK \"For Ann\"\nSET TASK PROGRESS id, 10", "on_behalf_of": "ann"],
            on: bot)
        let id = reply["variables"]?["id"] ?? .null
        let history = try await result("tasks.history", ["task_id": id], on: stdio())
        let entries = history["history"]?.arrayValue ?? []
        #expect(entries.count == 2)
        #expect(entries.allSatisfy { $0["actor"] == "ann" && $0["agent"] == "bot" })
    }

    @Test func everyInnerCallCountsAgainstTheCallersRateLimit() async throws {
        let ann = try await loggedIn("ann", role: "member")
        let refused = try #require(
            await error(
                "basic.run",
                ["source": "a = CREATE TASK \"1\"\nb = CREATE TASK \"2\"\nc = CREATE TASK \"3\""], on: ann))
        #expect(refused.data?["line"] == 3 && refused.data?["cause"]?["code"] == 429)
        #expect(await engine.taskCount == 2)
    }

    @Test func aSyntaxErrorNamesLineAndColumnAndRunsNothing() async throws {
        let source =
            "task_id = CREATE TASK \"x\"\nstatus = GET TASK STATUS task_id\nIF status = 1 TALK \"a\"\nEND IF"
        let refused = try #require(await error("basic.run", ["source": .string(source)], on: stdio()))
        #expect(refused.code == -32602)
        #expect(
            refused.data == [
                "error": "basic_syntax_error", "line": 3, "column": 15,
            ])
        #expect(refused.message == "line 3, column 15: expected THEN, found TALK")
        #expect(await engine.taskCount == 0)
    }

    @Test func badParamsAreRefusedWithTheirField() async throws {
        #expect(await error("basic.run", [:], on: stdio())?.data?["field"] == "source")
        #expect(
            await error("basic.run", ["source": "x = 1", "sauce": 1], on: stdio())?.data?["field"]
                == "sauce")
        let keyword = await error(
            "basic.run", ["source": "x = 1", "variables": ["THEN": 1]], on: stdio())
        #expect(keyword?.data?["field"] == "variables.THEN")
        let object = await error(
            "basic.run", ["source": "x = 1", "variables": ["a": ["b": 1]]], on: stdio())
        #expect(object?.data?["field"] == "variables.a")
        let large = await error(
            "basic.run", ["source": .string(String(repeating: "x", count: 70_000))], on: stdio())
        #expect(large?.code == 413 && large?.data?["field"] == "source")
    }

    @Test func givenVariablesAreReadAndReturned() async throws {
        let reply = try await result(
            "basic.run",
            [
                "source": "TALK \"Hello, \" & who & \"!\"\ntwice = n * 2",
                "variables": ["who": "Ann", "n": 21],
            ],
            on: stdio())
        #expect(reply["talk"] == ["Hello, Ann!"])
        #expect(reply["variables"] == ["who": "Ann", "n": 21, "twice": 42])
    }

    @Test func cancellingTheCallStopsTheScriptInsideAnInnerCall() async throws {
        let (started, signal) = AsyncStream<Void>.makeStream()
        let invoker = MethodInvoker()
        let slowGet = MethodDeclaration(
            "tasks.get", rateLimit: nil, readOnly: true, destructive: false, idempotent: true
        ) { _, _ in
            signal.yield()
            // Cancellation ends this wait at once; a bound keeps a broken cancellation from hanging the test.
            try await Task.sleep(for: .seconds(60))
            return Reply(["status": "pending"])
        }
        let table = try MethodTable(BasicMethods.declarations(invoker: invoker, clock: clock) + [slowGet])
        let local = Dispatcher(methods: table, logger: Logger(label: "test", level: .error) { _ in })
        invoker.bind(local)
        let run = Task {
            await local.call(
                "basic.run", params: ["source": "s = GET TASK STATUS \"tsk_1\"\nTALK \"after\""],
                context: RequestContext(connectionID: 9))
        }
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()
        run.cancel()
        guard case .failure(let error) = await run.value else {
            Issue.record("the cancelled script finished")
            return
        }
        #expect(error.code == -32800 && error.name == "request_cancelled")
    }

    @Test func aSocketCallerMustLogInFirst() async throws {
        let context = RequestContext(
            connectionID: 3, transport: "unix", identity: ConnectionIdentity(nil))
        #expect(await error("basic.run", ["source": "x = 1"], on: context)?.code == 401)
    }
}
