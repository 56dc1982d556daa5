import Basic
import JSON
import JSONRPC
import Locking
import TaskEngine
import TaskStore

/// `basic.run {source, variables?}`: runs a BASIC script as the caller and returns what it said (`TALK`)
/// and its variables.
///
/// Every task keyword is one call through the ``MethodInvoker``, so identity, permissions, rate limits and
/// `on_behalf_of` apply to each as if the caller had sent it. The reply waits until the script's writes are
/// durable, also when the script fails half way: the statements before a runtime error took effect.
enum RunBasic {
    /// Not read-only and not idempotent: a script may create tasks and comments. It runs long (up to the
    /// time limit), so `$/cancelRequest` stops it between two statements.
    static func declaration(invoker: MethodInvoker, clock: any TimeSource) -> MethodDeclaration {
        MethodDeclaration(
            "basic.run", rateLimit: "script", runsLong: true, readOnly: false, destructive: false, idempotent: false
        ) { try await handle($0, $1, invoker: invoker, clock: clock) }
    }

    static func handle(
        _ params: JSONValue?, _ context: RequestContext, invoker: MethodInvoker, clock: any TimeSource,
        limits: BasicLimits = .standard
    ) async throws -> Reply {
        var reader = try ParamReader(params)
        let source: String = try reader.required("source")
        let given = try reader.optional("variables", as: JSONObject.self) ?? [:]
        try reader.finish()
        guard source.utf8.count <= limits.maxSourceBytes else {
            throw ResponseError(
                code: .tooLarge,
                message: "The script is \(source.utf8.count) bytes; at most \(limits.maxSourceBytes) are allowed.",
                error: "too_large", details: ["field": "source", "max_bytes": .int(limits.maxSourceBytes)])
        }
        let variables = try startingVariables(given, limits: limits)
        let program: Program
        do {
            program = try Program(parsing: source, limits: limits)
        } catch {
            throw responseError(error)
        }
        let calls = InnerCalls(invoker: invoker, context: context)
        let interpreter = Interpreter(
            limits: limits, now: { Double(clock.now().microseconds) / 1_000_000 })
        let outcome: Interpreter.Outcome
        do {
            outcome = try await interpreter.run(program, variables: variables) { method, params in
                try await calls.call(method, params)
            }
        } catch {
            // What ran before the error stays done: answer only once it is durable.
            do { try await calls.lastTicket?.wait() } catch { throw Dispatcher.storeFailed }
            if let error = error as? BasicError { throw responseError(error) }
            throw error
        }
        let result: JSONValue = [
            "talk": .array(outcome.talk.map(JSONValue.string)), "variables": outcome.variablesJSON,
            "steps": .int(outcome.steps), "calls": .int(outcome.calls),
        ]
        return Reply(result, after: calls.lastTicket)
    }

    /// The `variables` param as BASIC values: names that are not keywords, scalar values.
    private static func startingVariables(
        _ given: JSONObject, limits: BasicLimits
    ) throws(ResponseError) -> [(name: String, value: Value)] {
        var seen: Set<String> = []
        var variables: [(name: String, value: Value)] = []
        for (name, json) in given.members {
            let field = "variables.\(name)"
            guard Interpreter.isVariableName(name) else {
                throw .invalidParams(
                    "Variable name \(name) is not a BASIC name (a letter or _, then letters, digits and _; no keyword).",
                    field: field)
            }
            guard seen.insert(name.uppercased()).inserted else {
                throw .invalidParams("Variable \(name) is given twice (names are case-insensitive).", field: field)
            }
            guard let value = Value(json: json) else {
                throw .invalidParams(
                    "Variable \(name) must be a string, number, boolean or null, not \(json.typeName).", field: field)
            }
            if case .string(let text) = value, text.utf8.count > limits.maxStringBytes {
                throw .invalidParams(
                    "Variable \(name) is longer than \(limits.maxStringBytes) bytes.", field: field)
            }
            variables.append((name, value))
        }
        return variables
    }

    /// -32602 with `data.error` `basic_syntax_error` or `basic_runtime_error`, `data.line`, `data.column`, and
    /// for a failed call the method and the server's error.
    static func responseError(_ error: BasicError) -> ResponseError {
        var details: JSONObject = ["line": .int(error.position.line), "column": .int(error.position.column)]
        details.append("limit", ifPresent: error.limit.map { .string($0.rawValue) })
        details.append("method", ifPresent: error.method.map(JSONValue.string))
        if let cause = error.cause {
            var object: JSONObject = ["code": .int(cause.code), "message": .string(cause.message)]
            object.append("data", ifPresent: cause.data)
            details.append("cause", .object(object))
        }
        if error.kind == .runtime { details.append("talk", .array(error.talk.map(JSONValue.string))) }
        return ResponseError(
            code: .invalidParams, message: error.description,
            error: error.kind == .syntax ? "basic_syntax_error" : "basic_runtime_error", details: details)
    }
}

/// The task API as a script sees it: each call goes through the invoker as the outer caller, and the ticket
/// of the last write is kept for the reply.
private final class InnerCalls: Sendable {
    private let invoker: MethodInvoker
    private let context: RequestContext
    private let ticket = Mutex<CommitTicket?>(nil)

    init(invoker: MethodInvoker, context: RequestContext) {
        // The dispatcher's gate derives who calls from the connection again and would forget an
        // `on_behalf_of` of the outer call: each inner call repeats it, as the agent.
        var inner = context
        if let agent = context.agent {
            inner.user = agent
            inner.role = .agent
            inner.agent = nil
            self.onBehalfOf = context.user.text
        } else {
            self.onBehalfOf = nil
        }
        self.invoker = invoker
        self.context = inner
    }

    private let onBehalfOf: String?

    var lastTicket: CommitTicket? { ticket.withLock { $0 } }

    func call(_ method: String, _ params: JSONValue) async throws -> JSONValue {
        var params = params
        if let onBehalfOf, case .object(var object) = params {
            object["on_behalf_of"] = .string(onBehalfOf)
            params = .object(object)
        }
        switch await invoker.call(method, params: params, context: context) {
        case .success(let result, let written):
            if let written { ticket.withLock { $0 = written } }
            return result
        case .failure(let error):
            if error.code == ErrorCode.requestCancelled.rawValue { throw CancellationError() }
            throw CallError(code: error.code, message: error.message, data: error.data)
        }
    }
}
