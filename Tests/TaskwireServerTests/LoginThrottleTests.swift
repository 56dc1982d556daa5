import Dispatch
import JSON
import JSONRPC
import Locking
import TaskEngine
import TaskStore
import TaskwireLog
import TestSupport
import Testing

@testable import TaskwireServer

/// A clock that can hold the next caller of ``now()`` until the test lets it go.
///
/// Given to the engine, it keeps the engine's actor busy on purpose: the held call blocks the thread that
/// runs the actor, so every engine call made meanwhile waits, as on a server busy with other work. The hold
/// gives up after 30 s, so a broken test fails instead of hanging.
final class HeldTimeSource: TimeSource {
    private let base: ManualTimeSource
    private let holding = Mutex(false)
    private let released = DispatchSemaphore(value: 0)
    /// Gets one frame when a call is being held.
    let holds = FrameInbox()

    init(_ base: ManualTimeSource) { self.base = base }

    /// Holds the next call of ``now()`` until ``release()``.
    func holdNextCall() { holding.withLock { $0 = true } }

    /// Lets the held call return.
    func release() { released.signal() }

    func now() -> Timestamp {
        let hold = holding.withLock { holding in
            defer { holding = false }
            return holding
        }
        if hold {
            holds.push([])
            _ = released.wait(timeout: .now() + 30)
        }
        return base.now()
    }
}

/// A clock that reports every reading, so a test knows how far concurrent handlers got.
final class CountingTimeSource: TimeSource {
    private let base: any TimeSource
    /// Gets one frame per call of ``now()``.
    let readings = FrameInbox()

    init(_ base: any TimeSource) { self.base = base }

    func now() -> Timestamp {
        readings.push([])
        return base.now()
    }
}

/// The per-connection login throttle holds whatever the batching and timing of the attempts.
struct LoginThrottleTests {
    @Test func aBatchOfWrongLoginsGetsOnlyTheFreeFailuresWhileTheServerIsBusy() async throws {
        let clock = ManualTimeSource("2024-01-15T10:00:00Z")
        let engineClock = HeldTimeSource(clock)
        let loginClock = CountingTimeSource(clock)
        let engine = try Engine.open(store: MemoryStore(), clock: engineClock)
        let table = try MethodTable(
            BuiltinMethods.declarations(info: ServerInfo(transports: ["unix"], dataDirectory: nil, durability: "none"))
                + IdentityMethods.declarations(engine: engine, clock: loginClock))
        let dispatcher = Dispatcher(
            methods: table, logger: Logger(label: "test", level: .error) { _ in },
            gate: AuthGate(engine: engine, rateLimits: .standard, clock: clock))
        let admin = RequestContext(connectionID: 1, identity: ConnectionIdentity(.init(user: "system", via: "stdio")))
        for (method, params) in [
            ("users.upsert", ["user_id": "ann", "name": "Ann", "role": "member"] as JSONValue),
            ("auth.tokens.create", ["user_id": "ann"]),
        ] {
            guard case .success(_, let ticket) = await dispatcher.call(method, params: params, context: admin) else {
                Issue.record("\(method) failed")
                return
            }
            try await ticket?.wait()
        }
        let issued = await dispatcher.call("auth.tokens.create", params: ["user_id": "ann"], context: admin)
        guard case .success(let result, let ticket) = issued, let token = result["token"]?.stringValue else {
            Issue.record("no token")
            return
        }
        try await ticket?.wait()

        // Keep the engine busy with another login until every member of the batch has started.
        engineClock.holdNextCall()
        let busy = Task { try await engine.login(token: token) }
        _ = try await engineClock.holds.next(timeout: .seconds(60), what: "the engine to be busy")

        let replies = FrameInbox()
        let session = Session(
            dispatcher: dispatcher,
            context: RequestContext(connectionID: 2, transport: "unix", identity: ConnectionIdentity(nil))
        ) { replies.push($0) }
        let wrong = 499
        var members = (0..<wrong).map {
            #"{"jsonrpc":"2.0","id":\#($0),"method":"auth.login","params":{"token":"tw_wrong"}}"#
        }
        members.append(#"{"jsonrpc":"2.0","id":\#(wrong),"method":"auth.login","params":{"token":"\#(token)"}}"#)
        session.receive(body: Array("[\(members.joined(separator: ","))]".utf8))
        for _ in 0...wrong {
            _ = try await loginClock.readings.next(timeout: .seconds(60), what: "a login handler to start")
        }
        engineClock.release()
        _ = try await busy.value

        let body = try #require(try await replies.next(timeout: .seconds(60), what: "the batch reply"))
        let answers = try #require(try JSONParser.parse(body).arrayValue)
        #expect(answers.count == wrong + 1)
        var codes: [Int: Int] = [:]
        for answer in answers {
            codes[answer["error"]?["code"]?.intValue ?? 0, default: 0] += 1
        }
        #expect(codes[401] == ConnectionIdentity.freeFailures)
        #expect(codes[429] == wrong + 1 - ConnectionIdentity.freeFailures)
        let last = answers.first { $0["id"] == .int(wrong) }
        #expect(last?["error"]?["code"] == 429)

        session.receive(body: Array(#"{"jsonrpc":"2.0","id":"who","method":"auth.whoami"}"#.utf8))
        let whoami = try JSONParser.parse(try #require(try await replies.next(timeout: .seconds(60), what: "whoami")))
        #expect(whoami["error"]?["code"] == 401)
        await session.finishInput()
    }

    @Test func concurrentAttemptsOnOneConnectionAreAdmittedOnlyUpToTheFreeFailures() async {
        let identity = ConnectionIdentity(nil)
        let admitted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<200 {
                group.addTask { identity.beginLoginAttempt(now: 0) == .admitted }
            }
            var count = 0
            for await wasAdmitted in group where wasAdmitted { count += 1 }
            return count
        }
        #expect(admitted == ConnectionIdentity.freeFailures)
        #expect(identity.beginLoginAttempt(now: 0) == .locked(retryAfterSeconds: 1))
    }

    @Test func anAttemptCountsAsFailedUntilALoginSucceeds() {
        let identity = ConnectionIdentity(nil)
        for _ in 0..<ConnectionIdentity.freeFailures {
            #expect(identity.beginLoginAttempt(now: 0) == .admitted)
        }
        // The last free attempt locks the others out while it runs, and after it when it fails.
        #expect(identity.beginLoginAttempt(now: 0.5) == .locked(retryAfterSeconds: 1))
        // Each attempt past the free ones doubles the lockout.
        #expect(identity.beginLoginAttempt(now: 1) == .admitted)
        #expect(identity.beginLoginAttempt(now: 1) == .locked(retryAfterSeconds: 2))
        #expect(identity.beginLoginAttempt(now: 3) == .admitted)
        #expect(identity.beginLoginAttempt(now: 3) == .locked(retryAfterSeconds: 4))
        // A successful login forgets every attempt.
        identity.bind(.init(user: "ann", tokenID: TokenID(raw: 1), via: "token"))
        for _ in 0..<ConnectionIdentity.freeFailures {
            #expect(identity.beginLoginAttempt(now: 3) == .admitted)
        }
        #expect(identity.beginLoginAttempt(now: 3) == .locked(retryAfterSeconds: 1))
    }
}
