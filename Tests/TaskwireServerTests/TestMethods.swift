import JSON
import JSONRPC
import Locking
import TaskStore
import TaskwireLog
import TestSupport
import Testing

@testable import TaskwireServer

/// A gate a test opens by hand, for commit tickets whose durability the test decides.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, failure: StoreError?, waiters: [CheckedContinuation<Void, Never>])>(
        (false, nil, [])
    )

    func wait() async throws(StoreError) {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let openNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if openNow { continuation.resume() }
        }
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }

    func open(failing failure: StoreError? = nil) {
        let waiters = state.withLock { state in
            state.open = true
            state.failure = failure
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// An error that does not know its wire form, so it must become -32603.
struct SecretFailure: Error, CustomStringConvertible {
    var description: String { "disk controller on fire" }
}

/// The methods of jsonrpc.org section 7 plus helpers for cancellation, durability and ordering. Test-only.
struct TestMethods: Sendable {
    let started = FrameInbox()
    let gate = Gate()
    let calls = LogCapture()

    func record(_ entry: String) { calls.append(entry) }

    var recorded: [String] { calls.lines }

    func table() -> MethodTable {
        let declarations: [MethodDeclaration] = [
            .test("ping") { params, context in try BuiltinMethods.ping(params, context) },
            .test("subtract") { params, _ in
                switch params {
                case .array(let values)?:
                    guard values.count == 2, let minuend = values[0].intValue, let subtrahend = values[1].intValue
                    else {
                        throw ResponseError.invalidParams("subtract takes two integers.")
                    }
                    return Reply(.int(minuend - subtrahend))
                default:
                    var reader = try ParamReader(params)
                    let minuend: Int = try reader.required("minuend")
                    let subtrahend: Int = try reader.required("subtrahend")
                    try reader.finish()
                    return Reply(.int(minuend - subtrahend))
                }
            },
            .test("sum") { params, _ in
                Reply(.int((params?.arrayValue ?? []).compactMap(\.intValue).reduce(0, +)))
            },
            .test("update") { [self] _, _ in
                record("update")
                return Reply(.null)
            },
            .test("notify_hello") { [self] _, _ in
                record("notify_hello")
                return Reply(.null)
            },
            .test("notify_sum") { [self] _, _ in
                record("notify_sum")
                return Reply(.null)
            },
            .test("get_data") { [self] _, _ in
                record("get_data")
                return Reply(["hello", 5])
            },
            .test("wait_for_cancel", runsLong: true) { [self] _, _ in
                started.push(Array("wait_for_cancel".utf8))
                try await Task.sleep(for: .seconds(3600))
                return Reply("not cancelled")
            },
            .test("big") { params, _ in
                let count = params?["bytes"]?.intValue ?? 0
                return Reply(.string(String(repeating: "x", count: count)))
            },
            .test("fail") { _, _ in throw SecretFailure() },
            .test("write") { [self] params, _ in
                record("write")
                return Reply(
                    params?["value"] ?? .null,
                    after: CommitTicket { () async throws(StoreError) in try await gate.wait() })
            },
            .test("append") { [self] params, _ in
                await Task.yield()
                record("append \(params?["n"]?.intValue ?? -1)")
                return Reply(.null)
            },
        ]
        do {
            return try MethodTable(declarations)
        } catch {
            preconditionFailure("the test methods have distinct names: \(error)")
        }
    }
}

extension MethodDeclaration {
    /// A method of the test tables, whose facts besides `runsLong` these tests do not look at.
    static func test(_ name: String, runsLong: Bool = false, _ handler: @escaping Handler) -> MethodDeclaration {
        MethodDeclaration(
            name, rateLimit: nil, runsLong: runsLong, readOnly: false, destructive: false, idempotent: false,
            handler: handler)
    }
}

/// A session over in-memory callbacks: bodies go in, reply bodies come out, every wait has a timeout.
struct SessionHarness {
    let session: Session
    let replies = FrameInbox()
    let capture: LogCapture

    init(
        methods: MethodTable, maxBatchMembers: Int = IncomingBody.defaultMaxBatchMembers,
        maxBatchReplyBytes: Int = 64 << 20, framing: Framing? = nil
    ) {
        let lines = LogCapture()
        let logger = Logger(label: "test", level: .debug) { lines.append($0) }
        self.capture = lines
        let dispatcher = Dispatcher(
            methods: methods, logger: logger, maxBatchMembers: maxBatchMembers, maxBatchReplyBytes: maxBatchReplyBytes)
        let replies = self.replies
        session = Session(
            dispatcher: dispatcher,
            context: RequestContext(connectionID: 1, transport: "memory", framing: framing)
        ) { replies.push($0) }
    }

    func send(_ text: String) { session.receive(body: Array(text.utf8)) }

    func reply() async throws -> JSONValue {
        guard let body = try await replies.next(timeout: .seconds(60), what: "a reply") else {
            throw TestSupportError("no more replies")
        }
        return try JSONParser.parse(body)
    }

    func replyText() async throws -> String {
        guard let body = try await replies.next(timeout: .seconds(60), what: "a reply") else {
            throw TestSupportError("no more replies")
        }
        return String(decoding: body, as: UTF8.self)
    }

    /// Proves that nothing was sent for what came before: requests run in arrival order, so the next reply
    /// must be this ping's.
    func expectNothingBeforePing(id: String = "\"probe\"") async throws -> Bool {
        send(#"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"#)
        let next = try await reply()
        return next["id"]?.description == id && next["result"] == .object([:])
    }
}

/// Log lines captured for assertions.
final class LogCapture: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var text: String { storage.withLock { $0.joined() } }
    var lines: [String] { storage.withLock { $0 } }
}

/// Compares JSON ignoring object member order, and batch replies ignoring element order.
func sameJSON(_ actual: JSONValue, _ expectedText: String, unorderedArray: Bool = false) -> Bool {
    guard let expected = try? JSONParser.parse(expectedText) else { return false }
    func normalize(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            return .object(JSONObject(object.members.sorted { $0.key < $1.key }.map { ($0.key, normalize($0.value)) }))
        case .array(let elements):
            return .array(elements.map(normalize))
        default:
            return value
        }
    }
    var left = normalize(actual)
    var right = normalize(expected)
    if unorderedArray, case .array(let a) = left, case .array(let b) = right {
        left = .array(a.sorted { $0.description < $1.description })
        right = .array(b.sorted { $0.description < $1.description })
    }
    return left == right
}

/// A response reduced to what the spec's examples show: id, and result or error code (data is taskwire's).
func essentials(_ reply: JSONValue) -> JSONValue {
    var object: JSONObject = ["jsonrpc": reply["jsonrpc"] ?? .null, "id": reply["id"] ?? .null]
    if let result = reply["result"] { object["result"] = result }
    if let code = reply["error"]?["code"] { object["error"] = code }
    return .object(object)
}
