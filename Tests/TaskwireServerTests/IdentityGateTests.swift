import JSON
import JSONRPC
import StoreTestSupport
import TaskEngine
import TaskStore
import TaskwireLog
import Testing

@testable import TaskwireServer

/// Login, `on_behalf_of`, permissions and rate limits through the dispatcher, as a connection sees them,
/// with a hand-driven clock.
@Suite(.closesTestStores)
struct IdentityGateTests: GatedDispatcherSuite {
    let clock = ManualTimeSource("2024-01-15T10:00:00Z")
    let engine: Engine
    let dispatcher: Dispatcher

    init() async throws {
        engine = try Engine.open(store: try TestStore.make(), clock: clock)
        let table = try MethodTable(
            BuiltinMethods.declarations(
                info: ServerInfo(transports: ["stdio", "unix"], dataDirectory: nil, durability: "none"))
                + TaskMethods.declarations(engine: engine)
                + IdentityMethods.declarations(engine: engine, clock: clock))
        dispatcher = .gated(table, engine: engine, clock: clock, limits: ["create=2/hour"])
    }

    /// A new socket connection: unauthenticated.
    func socket() -> RequestContext {
        RequestContext(connectionID: 2, transport: "unix", identity: ConnectionIdentity(nil))
    }

    /// A new stdio connection acting as `user`.
    func stdio(_ user: String = "system") -> RequestContext {
        RequestContext(connectionID: 1, identity: ConnectionIdentity(.init(user: UserID(user), via: "stdio")))
    }

    /// Users `bot` (agent), `ann` and `bob` (members) and a token for each; returns the tokens.
    func people() async throws -> [String: String] {
        let admin = stdio()
        var tokens: [String: String] = [:]
        for (id, role) in [("bot", "agent"), ("ann", "member"), ("bob", "member")] {
            _ = try await result(
                "users.upsert", ["user_id": .string(id), "name": .string(id), "role": .string(role)], on: admin)
            let issued = try await result("auth.tokens.create", ["user_id": .string(id), "label": "test"], on: admin)
            tokens[id] = issued["token"]?.stringValue
        }
        return tokens
    }

    func loggedIn(_ token: String?) async throws -> RequestContext {
        let context = socket()
        _ = try await result("auth.login", ["token": .string(token ?? "")], on: context)
        return context
    }

    @Test func aSocketAnswersOnlyTheOpenMethodsBeforeLogin() async throws {
        let context = socket()
        for method in ["ping", "server.info", "rpc.discover"] {
            #expect(await error(method, on: context) == nil, "\(method)")
        }
        for method in ["tasks.list", "auth.whoami", "users.list", "tasks.create"] {
            let refused = await error(method, ["title": "x"], on: context)
            #expect(refused?.code == 401 && refused?.name == "unauthorized", "\(method)")
            #expect(refused?.message == "Log in with auth.login first.")
        }
        #expect(await engine.taskCount == 0)
    }

    @Test func serverInfoBeforeLoginTellsOnlyNameVersionAndConnection() async throws {
        let tokens = try await people()
        let context = socket()
        let before = try await result("server.info", on: context)
        #expect(before["name"] == "taskwire" && before["version"] == .string(TaskwireVersion.current))
        #expect(before["transport"] == "unix")
        #expect(Set(before.objectValue?.members.map(\.key) ?? []) == ["name", "version", "transport", "framing"])
        _ = try await result("auth.login", ["token": .string(tokens["ann"] ?? "")], on: context)
        let after = try await result("server.info", on: context)
        #expect(after["durability"] == "none" && after["limits"]?.objectValue != nil)
        #expect(after.objectValue?["data_directory"] == .null)
    }

    @Test func loginBindsTheConnectionAndWhoamiTellsWho() async throws {
        let tokens = try await people()
        let context = socket()
        let login = try await result("auth.login", ["token": .string(tokens["ann"] ?? "")], on: context)
        #expect(login["user_id"] == "ann" && login["role"] == "member" && login["authenticated_via"] == "token")
        let whoami = try await result("auth.whoami", on: context)
        #expect(whoami["user_id"] == "ann" && whoami["token_id"] == login["token_id"])
        #expect(whoami["acting_for"] == .null)
        let created = try await result("tasks.create", ["title": "Mine"], on: context)
        #expect(created["created_by"] == "ann")
        let system = try await result("auth.whoami", on: stdio())
        #expect(system["user_id"] == "system" && system["role"] == "admin" && system["authenticated_via"] == "stdio")
    }

    @Test func failedLoginsAreThrottledPerConnectionWithDoublingLockouts() async throws {
        let tokens = try await people()
        let context = socket()
        for _ in 0..<ConnectionIdentity.freeFailures {
            #expect(await error("auth.login", ["token": "tw_wrong"], on: context)?.code == 401)
        }
        let locked = await error("auth.login", ["token": .string(tokens["ann"] ?? "")], on: context)
        #expect(locked?.code == 429 && locked?.name == "rate_limited")
        #expect(locked?.data?["retry_after_seconds"] == 1)
        // Another connection is not affected.
        _ = try await loggedIn(tokens["bob"])
        clock.advance(seconds: 1)
        #expect(await error("auth.login", ["token": "tw_wrong"], on: context)?.code == 401)
        #expect(await error("auth.login", ["token": "tw_wrong"], on: context)?.data?["retry_after_seconds"] == 2)
        clock.advance(seconds: 2)
        _ = try await result("auth.login", ["token": .string(tokens["ann"] ?? "")], on: context)
        #expect(try await result("auth.whoami", on: context)["user_id"] == "ann")
    }

    @Test func aRevokedOrExpiredTokenStopsALoggedInConnectionAtOnce() async throws {
        let tokens = try await people()
        let context = try await loggedIn(tokens["ann"])
        let tokenID = try await result("auth.whoami", on: context)["token_id"]
        _ = try await result("auth.tokens.revoke", ["token_id": tokenID ?? .null], on: stdio())
        let refused = await error("tasks.list", on: context)
        #expect(refused?.code == 401)
        #expect(await error("tasks.list", on: context)?.message == "Log in with auth.login first.")

        let admin = stdio()
        let expiring = try await result(
            "auth.tokens.create", ["user_id": "bob", "expires_at": "2024-01-15T10:30:00Z"], on: admin)
        let bob = try await loggedIn(expiring["token"]?.stringValue)
        #expect(await error("tasks.list", on: bob) == nil)
        clock.advance(seconds: 1800)
        #expect(await error("tasks.list", on: bob)?.code == 401)
    }

    @Test func permissionsSampledThroughTheDispatcher() async throws {
        let tokens = try await people()
        let ann = try await loggedIn(tokens["ann"])
        let bob = try await loggedIn(tokens["bob"])
        let bot = try await loggedIn(tokens["bot"])
        let task = try await result("tasks.create", ["title": "Ann's", "assignee": "bob"], on: ann)
        let id = task["task_id"] ?? .null
        let others = try await result("tasks.create", ["title": "Bot's"], on: bot)
        // Members read everything, change what they created or are assigned to.
        #expect(try await result("tasks.get", ["task_id": others["task_id"] ?? .null], on: ann)["title"] == "Bot's")
        #expect(await error("tasks.update", ["task_id": id, "status": "in_progress"], on: bob) == nil)
        let refused = await error("tasks.update", ["task_id": others["task_id"] ?? .null, "progress": 5], on: ann)
        #expect(refused?.code == 403 && refused?.name == "permission_denied")
        #expect(refused?.message == "You don't have permission to modify this task")
        #expect(await error("tasks.delete", ["task_id": id], on: bot) == nil)
        // Only admins issue tokens.
        #expect(await error("auth.tokens.create", ["user_id": "ann"], on: bot)?.code == 403)
        #expect(await error("users.upsert", ["user_id": "x", "name": "X", "role": "admin"], on: bot)?.code == 403)
        #expect(await error("users.upsert", ["user_id": "x", "name": "X", "role": "member"], on: bot) == nil)
    }

    @Test func anAgentActsOnBehalfOfAMember() async throws {
        let tokens = try await people()
        let bot = try await loggedIn(tokens["bot"])
        let created = try await result("tasks.create", ["title": "For Ann", "on_behalf_of": "ann"], on: bot)
        #expect(created["created_by"] == "ann")
        let history = try await result("tasks.history", ["task_id": created["task_id"] ?? .null], on: bot)
        let entry = history["history"]?.arrayValue?.first
        #expect(entry?["actor"] == "ann" && entry?["agent"] == "bot")
        let whoami = try await result("auth.whoami", ["on_behalf_of": "ann"], on: bot)
        #expect(whoami["user_id"] == "bot" && whoami["role"] == "agent" && whoami["acting_for"] == "ann")
        // Acting for Ann, the bot has Ann's rights: not Bob's task.
        let bobs = try await result("tasks.create", ["title": "Bob's", "on_behalf_of": "bob"], on: bot)
        let refused = await error(
            "tasks.update", ["task_id": bobs["task_id"] ?? .null, "progress": 1, "on_behalf_of": "ann"], on: bot)
        #expect(refused?.code == 403)
        #expect(await error("tasks.update", ["task_id": bobs["task_id"] ?? .null, "progress": 1], on: bot) == nil)
    }

    @Test func onBehalfOfIsForAgentsActingForKnownMembers() async throws {
        let tokens = try await people()
        let ann = try await loggedIn(tokens["ann"])
        let bot = try await loggedIn(tokens["bot"])
        let notAgent = await error("tasks.list", ["on_behalf_of": "bob"], on: ann)
        #expect(notAgent?.code == 403 && notAgent?.name == "permission_denied")
        #expect(await error("tasks.list", ["on_behalf_of": "bob"], on: stdio())?.code == 403)
        let unknown = await error("tasks.list", ["on_behalf_of": "ghost"], on: bot)
        #expect(unknown?.code == 404 && unknown?.name == "user_not_found")
        #expect(await error("tasks.list", ["on_behalf_of": "system"], on: bot)?.code == 403)
        #expect(await error("tasks.list", ["on_behalf_of": 7], on: bot)?.data?["field"] == "on_behalf_of")
        #expect(await engine.taskCount == 0)
    }

    @Test func rateLimitsCountPerEffectiveUserAndRefuseWithoutChanging() async throws {
        let tokens = try await people()
        let ann = try await loggedIn(tokens["ann"])
        let bot = try await loggedIn(tokens["bot"])
        for index in 0..<2 { _ = try await result("tasks.create", ["title": .string("T\(index)")], on: ann) }
        let refused = await error("tasks.create", ["title": "Third"], on: ann)
        #expect(refused?.code == 429 && refused?.name == "rate_limited")
        #expect(refused?.data?["retry_after_seconds"] == 3600)
        #expect(await engine.taskCount == 2)
        // The bot acting for Ann counts against Ann's limit; on its own behalf against its own.
        #expect(await error("tasks.create", ["title": "Via bot", "on_behalf_of": "ann"], on: bot)?.code == 429)
        #expect(await error("tasks.create", ["title": "Bot's own"], on: bot) == nil)
        // system is never limited.
        for index in 0..<3 { _ = try await result("tasks.create", ["title": .string("S\(index)")], on: stdio()) }
        clock.advance(seconds: 3600)
        #expect(await error("tasks.create", ["title": "Later"], on: ann) == nil)
    }

    @Test func everyMethodIsRateLimitedOrOpenBeforeLogin() throws {
        let table = try MethodTable.product(
            info: ServerInfo(transports: [], dataDirectory: nil, durability: "none"),
            engine: try Engine.open(store: MemoryStore()))
        for method in table.all {
            if let operation = method.rateLimit {
                #expect(RateLimitPolicy.defaults[operation] != nil, "\(method.name)")
                #expect(!method.opensBeforeLogin, "\(method.name) is open before login and rate-limited")
            } else {
                #expect(method.opensBeforeLogin, "\(method.name) is neither rate-limited nor open before login")
            }
        }
        #expect(RateLimitPolicy.defaults["create"] == .init(count: 100, window: 3600))
        #expect(RateLimitPolicy.defaults["update"] == .init(count: 200, window: 3600))
        #expect(RateLimitPolicy.defaults["list"] == .init(count: 60, window: 60))
        #expect(RateLimitPolicy.defaults["comment"] == .init(count: 50, window: 3600))
    }
}
