package import JSON

/// Runs a ``Program``: evaluates its statements in order, collects what it says with `TALK`, and makes
/// every task keyword's JSON-RPC call through the one function it was given, so a script can reach
/// nothing but the task API, as whoever the function calls as.
///
/// A run is bounded by ``BasicLimits``: statements, seconds (checked cooperatively, before every
/// statement and after every call), `TALK` output and string length. It stops at the first error, which
/// names the line and column; the calls made before it took effect. Task cancellation stops it before the
/// next statement, with `CancellationError`.
package struct Interpreter: Sendable {
    /// Makes one JSON-RPC call of the task API and returns its result; a refused call throws ``CallError``.
    package typealias Call = @Sendable (_ method: String, _ params: JSONValue) async throws -> JSONValue

    /// What a finished run produced.
    package struct Outcome: Sendable, Equatable {
        /// The lines `TALK` said, in order.
        package var talk: [String]
        /// Every variable at the end, in the order each was first set, with the spelling of that first use.
        package var variables: [(name: String, value: Value)]
        /// How many steps the run took: statements evaluated and loop turns.
        package var steps: Int
        /// How many JSON-RPC calls the task keywords made.
        package var calls: Int

        package static func == (lhs: Outcome, rhs: Outcome) -> Bool {
            lhs.talk == rhs.talk && lhs.steps == rhs.steps && lhs.calls == rhs.calls
                && lhs.variables.map(\.name) == rhs.variables.map(\.name)
                && lhs.variables.map(\.value) == rhs.variables.map(\.value)
        }

        /// The variables as a JSON object.
        package var variablesJSON: JSONValue {
            .object(JSONObject(variables.map { (key: $0.name, value: $0.value.json) }))
        }
    }

    /// The limits of every run.
    package var limits: BasicLimits
    /// The wall clock `NOW()` reads, in Unix epoch seconds.
    package var now: @Sendable () -> Double
    /// A monotonic clock in seconds, for the time limit.
    package var elapsed: @Sendable () -> Double

    /// An interpreter with `limits`, reading `NOW()` from `now` and timing runs with `elapsed`.
    package init(
        limits: BasicLimits = .standard, now: @escaping @Sendable () -> Double,
        elapsed: @escaping @Sendable () -> Double = Interpreter.monotonicSeconds
    ) {
        self.limits = limits
        self.now = now
        self.elapsed = elapsed
    }

    /// Seconds on the system's monotonic clock.
    package static let monotonicSeconds: @Sendable () -> Double = {
        let since = ContinuousClock.now - origin
        return Double(since.components.seconds) + Double(since.components.attoseconds) / 1e18
    }

    private static let origin = ContinuousClock.now

    /// Whether `name` may name a variable: a name that is not a keyword.
    package static func isVariableName(_ name: String) -> Bool {
        guard let first = name.first, first.isLetter || first == "_", Keyword(word: name) == nil,
            name.uppercased() != "REM"
        else { return false }
        return name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    /// Runs `program` with the given starting variables, calling the task API through `call`.
    ///
    /// - Throws: ``BasicError`` for a runtime error or a limit, `CancellationError` when the task was
    ///   cancelled.
    package func run(
        _ program: Program, variables: [(name: String, value: Value)] = [], call: @escaping Call
    ) async throws -> Outcome {
        var run = Run(limits: limits, now: now, elapsed: elapsed, call: call)
        run.started = elapsed()
        for (name, value) in variables { run.set(name, value) }
        do {
            try await run.execute(program.statements)
        } catch var error as BasicError {
            error.talk = run.talk
            throw error
        }
        return Outcome(
            talk: run.talk,
            variables: run.order.compactMap { key in run.values[key].map { (name: $0.name, value: $0.value) } },
            steps: run.steps, calls: run.calls)
    }
}

/// The state of one run.
private struct Run {
    let limits: BasicLimits
    let now: @Sendable () -> Double
    let elapsed: @Sendable () -> Double
    let call: Interpreter.Call
    var started = 0.0
    var talk: [String] = []
    var talkBytes = 0
    /// Variables by upper-cased name, with the spelling of their first assignment.
    var values: [String: (name: String, value: Value)] = [:]
    var order: [String] = []
    var steps = 0
    var calls = 0

    init(
        limits: BasicLimits, now: @escaping @Sendable () -> Double, elapsed: @escaping @Sendable () -> Double,
        call: @escaping Interpreter.Call
    ) {
        self.limits = limits
        self.now = now
        self.elapsed = elapsed
        self.call = call
    }

    mutating func set(_ name: String, _ value: Value) {
        let key = name.uppercased()
        if let existing = values[key] {
            values[key] = (existing.name, value)
        } else {
            values[key] = (name, value)
            order.append(key)
        }
    }

    func checkTime(at position: SourcePosition) throws(BasicError) {
        guard elapsed() - started <= limits.maxSeconds else {
            throw BasicError(
                .runtime, at: position, "the script ran longer than \(Value.number(limits.maxSeconds).text) seconds",
                limit: .time)
        }
    }

    /// Counts one step at `position` and stops the run when it is cancelled or over its steps or time.
    mutating func tick(at position: SourcePosition) throws {
        try Task.checkCancellation()
        steps += 1
        guard steps <= limits.maxSteps else {
            throw BasicError(
                .runtime, at: position, "the script ran more than \(limits.maxSteps) steps", limit: .steps)
        }
        try checkTime(at: position)
    }

    mutating func execute(_ statements: [Statement]) async throws {
        for statement in statements {
            try tick(at: statement.position)
            switch statement {
            case .assign(let name, let expression, _):
                set(name, try await evaluate(expression))
            case .talk(let expression, let position):
                let text = try await evaluate(expression).text
                guard talk.count < limits.maxTalkLines else {
                    throw BasicError(
                        .runtime, at: position, "the script said more than \(limits.maxTalkLines) lines",
                        limit: .talkLines)
                }
                talkBytes += text.utf8.count
                guard talkBytes <= limits.maxTalkBytes else {
                    throw BasicError(
                        .runtime, at: position, "the script said more than \(limits.maxTalkBytes) bytes",
                        limit: .talkBytes)
                }
                talk.append(text)
            case .branch(let conditions, let otherwise, _):
                var taken = false
                for (condition, body) in conditions {
                    let value = try await evaluate(condition)
                    guard case .boolean(let flag) = value else {
                        throw BasicError(
                            .runtime, at: condition.position, "IF needs TRUE or FALSE, not \(value.typeName)")
                    }
                    if flag {
                        try await execute(body)
                        taken = true
                        break
                    }
                }
                if !taken { try await execute(otherwise) }
            case .task(let taskCall):
                _ = try await perform(taskCall)
            case .forLoop(let name, let first, let last, let step, let body, let position):
                let start = try await number(first, for: "FOR")
                let end = try await number(last, for: "TO")
                var increment = 1.0
                if let step { increment = try await number(step, for: "STEP") }
                guard increment != 0 else { throw BasicError(.runtime, at: position, "STEP 0 would never end") }
                set(name, .number(start))
                while true {
                    guard case .number(let current) = values[name.uppercased()]?.value else {
                        throw BasicError(.runtime, at: position, "the loop variable \(name) is no longer a number")
                    }
                    guard increment > 0 ? current <= end : current >= end else { break }
                    try await execute(body)
                    // Each turn counts as a step too, so that even an empty loop is bounded.
                    try tick(at: position)
                    guard case .number(let after) = values[name.uppercased()]?.value else {
                        throw BasicError(.runtime, at: position, "the loop variable \(name) is no longer a number")
                    }
                    set(name, .number(after + increment))
                }
            case .whileLoop(let condition, let body, let position):
                while true {
                    let value = try await evaluate(condition)
                    guard case .boolean(let flag) = value else {
                        throw BasicError(
                            .runtime, at: condition.position, "WHILE needs TRUE or FALSE, not \(value.typeName)")
                    }
                    guard flag else { break }
                    try await execute(body)
                    try tick(at: position)
                }
            }
        }
    }

    // MARK: Expressions

    mutating func evaluate(_ expression: Expression) async throws -> Value {
        switch expression {
        case .literal(let value, _):
            return value
        case .variable(let name, let position):
            guard let value = values[name.uppercased()]?.value else {
                throw BasicError(.runtime, at: position, "the variable \(name) has no value yet")
            }
            return value
        case .function(let name, _, let position):
            guard name == "NOW" else { throw BasicError(.runtime, at: position, "unknown function \(name)") }
            return .number(now())
        case .unary(let op, let operand, let position):
            let value = try await evaluate(operand)
            switch (op, value) {
            case (.negate, .number(let number)): return .number(-number)
            case (.plus, .number): return value
            case (.not, .boolean(let flag)): return .boolean(!flag)
            case (.not, _):
                throw BasicError(.runtime, at: position, "NOT needs TRUE or FALSE, not \(value.typeName)")
            default:
                throw BasicError(.runtime, at: position, "\(op.rawValue) needs a number, not \(value.typeName)")
            }
        case .binary(let op, let left, let right, let position):
            let lhs = try await evaluate(left)
            if op == .and || op == .or {
                guard case .boolean(let first) = lhs else {
                    throw BasicError(.runtime, at: position, "\(op.rawValue) needs TRUE or FALSE, not \(lhs.typeName)")
                }
                // Short-circuit: the right side is not evaluated when the left decides.
                if op == .and ? !first : first { return .boolean(first) }
                let rhs = try await evaluate(right)
                guard case .boolean(let second) = rhs else {
                    throw BasicError(.runtime, at: position, "\(op.rawValue) needs TRUE or FALSE, not \(rhs.typeName)")
                }
                return .boolean(second)
            }
            return try binary(op, lhs, try await evaluate(right), at: position)
        case .task(let taskCall):
            return try await perform(taskCall)
        }
    }

    /// The value of a loop bound, which must be a number.
    mutating func number(_ expression: Expression, for word: String) async throws -> Double {
        let value = try await evaluate(expression)
        guard case .number(let number) = value else {
            throw BasicError(.runtime, at: expression.position, "\(word) needs a number, not \(value.typeName)")
        }
        return number
    }

    func checked(_ string: String, at position: SourcePosition) throws(BasicError) -> Value {
        guard string.utf8.count <= limits.maxStringBytes else {
            throw BasicError(
                .runtime, at: position, "a string would be longer than \(limits.maxStringBytes) bytes",
                limit: .stringBytes)
        }
        return .string(string)
    }

    func binary(
        _ op: Expression.BinaryOperator, _ lhs: Value, _ rhs: Value, at position: SourcePosition
    ) throws(BasicError) -> Value {
        switch op {
        case .concatenate:
            return try checked(lhs.text + rhs.text, at: position)
        case .equal: return .boolean(lhs == rhs)
        case .notEqual: return .boolean(lhs != rhs)
        case .less, .greater, .lessOrEqual, .greaterOrEqual:
            let order: Int
            switch (lhs, rhs) {
            case (.number(let a), .number(let b)): order = a < b ? -1 : (a > b ? 1 : 0)
            case (.string(let a), .string(let b)): order = a < b ? -1 : (a > b ? 1 : 0)
            default:
                throw BasicError(
                    .runtime, at: position, "cannot order \(lhs.typeName) and \(rhs.typeName) with \(op.rawValue)")
            }
            switch op {
            case .less: return .boolean(order < 0)
            case .greater: return .boolean(order > 0)
            case .lessOrEqual: return .boolean(order <= 0)
            default: return .boolean(order >= 0)
            }
        case .add:
            if case .string(let a) = lhs, case .string(let b) = rhs { return try checked(a + b, at: position) }
            fallthrough
        case .subtract, .multiply, .divide, .modulo:
            guard case .number(let a) = lhs, case .number(let b) = rhs else {
                let hint = op == .add ? "; join text with &" : ""
                throw BasicError(
                    .runtime, at: position,
                    "\(op.rawValue) needs two numbers, not \(lhs.typeName) and \(rhs.typeName)\(hint)")
            }
            let result: Double
            switch op {
            case .add: result = a + b
            case .subtract: result = a - b
            case .multiply: result = a * b
            case .divide, .modulo:
                guard b != 0 else { throw BasicError(.runtime, at: position, "division by zero") }
                result = op == .divide ? a / b : a.truncatingRemainder(dividingBy: b)
            default: result = 0
            }
            guard result.isFinite else { throw BasicError(.runtime, at: position, "the number is too large") }
            return .number(result)
        case .and, .or:
            return .boolean(false)
        }
    }

    // MARK: Task keywords

    mutating func perform(_ taskCall: TaskCall) async throws -> Value {
        var arguments: [Value] = []
        for argument in taskCall.arguments { arguments.append(try await evaluate(argument)) }
        let keyword = taskCall.keyword
        let params = keyword.params(arguments)
        var result = try await send(keyword.method, params, for: taskCall)
        if keyword == .completeTask, case .failure(let error) = result, error.code == 409,
            error.name == "invalid_transition"
        {
            // As the client helpers do: a task still pending is moved to in_progress, then completed.
            let status = try await send("tasks.get", ["task_id": params["task_id"] ?? .null], for: taskCall)
            if case .success(let task) = status, task["status"] == "pending" {
                let update: JSONValue = ["task_id": params["task_id"] ?? .null, "status": "in_progress"]
                _ = try fail(
                    await send("tasks.update", update, for: taskCall), keyword: keyword, method: "tasks.update",
                    at: taskCall.position)
                result = try await send(keyword.method, params, for: taskCall)
            }
        }
        let value = try fail(result, keyword: keyword, method: keyword.method, at: taskCall.position)
        guard let field = keyword.resultField else { return .null }
        guard let member = value[field], let yielded = Value(json: member) else {
            throw BasicError(
                .runtime, at: taskCall.position, "\(keyword.rawValue): the reply has no \(field)",
                method: keyword.method)
        }
        if case .string(let text) = yielded { return try checked(text, at: taskCall.position) }
        return yielded
    }

    /// Makes one call; a refused call is a failure to inspect, anything else thrown passes through.
    mutating func send(
        _ method: String, _ params: JSONValue, for taskCall: TaskCall
    ) async throws -> Result<JSONValue, CallError> {
        try Task.checkCancellation()
        calls += 1
        let outcome: Result<JSONValue, CallError>
        do {
            outcome = .success(try await call(method, params))
        } catch let error as CallError {
            outcome = .failure(error)
        }
        try Task.checkCancellation()
        try checkTime(at: taskCall.position)
        return outcome
    }

    func fail(
        _ result: Result<JSONValue, CallError>, keyword: TaskKeyword, method: String, at position: SourcePosition
    ) throws(BasicError) -> JSONValue {
        switch result {
        case .success(let value): return value
        case .failure(let error):
            let name = error.name.map { " (\($0))" } ?? ""
            throw BasicError(
                .runtime, at: position, "\(keyword.rawValue) failed: \(error.message)\(name)", method: method,
                cause: error)
        }
    }
}
