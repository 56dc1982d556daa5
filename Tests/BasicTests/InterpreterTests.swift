import JSON
import Locking
import TestSupport
import Testing

@testable import Basic

/// Evaluation with a fake task API and fixed clocks: values, branches, keywords, errors and limits.
struct InterpreterTests {
    static let day = 1_700_000_000.0
    let api = FakeTaskAPI()

    func run(
        _ source: String, variables: [(name: String, value: Value)] = [], limits: BasicLimits = .standard,
        elapsed: @escaping @Sendable () -> Double = { 0 }
    ) async throws -> Interpreter.Outcome {
        let program = try Program(parsing: source, limits: limits)
        let interpreter = Interpreter(limits: limits, now: { Self.day }, elapsed: elapsed)
        return try await interpreter.run(program, variables: variables, call: api.call)
    }

    func runtimeError(
        _ source: String, limits: BasicLimits = .standard, elapsed: @escaping @Sendable () -> Double = { 0 }
    ) async -> BasicError? {
        do {
            _ = try await run(source, limits: limits, elapsed: elapsed)
            return nil
        } catch let error as BasicError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    func value(_ expression: String) async throws -> Value? {
        try await run("result = " + expression).variables.first { $0.name == "result" }?.value
    }

    @Test(arguments: [
        ("1 + 2 * 3", Value.number(7)), ("(1 + 2) * 3", .number(9)), ("10 - 4 - 3", .number(3)),
        ("2 * 3 MOD 4", .number(2)), ("-2 * 3", .number(-6)), ("7 / 2", .number(3.5)),
        ("NOW() + 24 * 3600", .number(day + 86_400)), ("\"a\" + \"b\"", .string("ab")),
        ("\"n=\" & 1 + 2", .string("n=3")), ("1 & 2", .string("12")), ("1 + 2 = 3", .boolean(true)),
        ("\"abc\" < \"abd\"", .boolean(true)), ("2 >= 3", .boolean(false)), ("1 <> 2", .boolean(true)),
        ("NOT 1 = 2 AND TRUE", .boolean(true)), ("FALSE OR 1 < 2", .boolean(true)),
        ("TRUE OR FALSE AND FALSE", .boolean(true)), ("NULL = NULL", .boolean(true)),
        ("\"1\" = 1", .boolean(false)), ("1.5 * 2 & \"\"", .string("3")), ("0.1 & \"\"", .string("0.1")),
    ])
    func expressionsFollowPrecedence(expression: String, expected: Value) async throws {
        #expect(try await value(expression) == expected)
    }

    @Test func theSpecSnippetCreatesATaskAndSaysNothingWhileItIsPending() async throws {
        let outcome = try await run(Self.specSnippet)
        let id = "tsk_1"
        #expect(
            api.calls == [
                #"tasks.create {"title":"Follow up with customer","assignee":"user456"}"#,
                #"tasks.update {"task_id":"tsk_1","priority":"high"}"#,
                #"tasks.update {"task_id":"tsk_1","due_date":1700086400}"#,
                #"tasks.get {"task_id":"tsk_1"}"#,
            ])
        #expect(outcome.talk == [])
        #expect(outcome.variables.map(\.name) == ["task_id", "status"])
        #expect(outcome.variables.map(\.value) == [.string(id), .string("pending")])
        #expect(outcome.steps == 5 && outcome.calls == 4)
    }

    @Test func ifElseIfElseTakesTheFirstTrueBranchOnly() async throws {
        let source = """
            IF n < 0 THEN
              TALK "negative"
            ELSEIF n = 0 THEN
              TALK "zero"
            ELSE
              TALK "positive"
            END IF
            IF n = 0 THEN TALK "one-line zero" ELSE TALK "one-line other"
            """
        #expect(try await run(source, variables: [("n", .number(-1))]).talk == ["negative", "one-line other"])
        #expect(try await run(source, variables: [("n", .number(0))]).talk == ["zero", "one-line zero"])
        #expect(try await run(source, variables: [("N", .number(5))]).talk == ["positive", "one-line other"])
    }

    @Test func variablesAreCaseInsensitiveAndKeepTheirFirstSpelling() async throws {
        let outcome = try await run("Count = 1\nLET count = COUNT + 1\nTALK count")
        #expect(outcome.talk == ["2"])
        #expect(outcome.variables.map(\.name) == ["Count"])
    }

    @Test func theSiblingKeywordsMakeTheClientHelpersCalls() async throws {
        let source = """
            id = create task "Call back"
            set task assignee id, "user789"
            SET TASK PROGRESS id, 30
            SET TASK DUE DATE id, NULL
            c = ADD TASK COMMENT id, "Left a voicemail"
            COMPLETE TASK id, "Called"
            TALK GET_STATUS
            """
        let error = await runtimeError(source)
        #expect(error?.description == "line 7, column 6: the variable GET_STATUS has no value yet")
        #expect(
            api.calls == [
                #"tasks.create {"title":"Call back"}"#,
                #"tasks.update {"task_id":"tsk_1","assignee":"user789"}"#,
                #"tasks.update {"task_id":"tsk_1","progress":30}"#,
                #"tasks.update {"task_id":"tsk_1","due_date":null}"#,
                #"tasks.comments.add {"task_id":"tsk_1","text":"Left a voicemail"}"#,
                // A pending task is moved to in_progress first, as the client helpers do.
                #"tasks.complete {"task_id":"tsk_1","resolution":"Called"}"#,
                #"tasks.get {"task_id":"tsk_1"}"#,
                #"tasks.update {"task_id":"tsk_1","status":"in_progress"}"#,
                #"tasks.complete {"task_id":"tsk_1","resolution":"Called"}"#,
            ])
        #expect(api.task("tsk_1")?["status"] == "completed")
    }

    @Test func aRefusedCallIsARuntimeErrorNamingTheStatementAndTheServersMessage() async throws {
        let error = try #require(await runtimeError("x = 1\n  SET TASK PRIORITY \"tsk_9\", \"high\"\nTALK \"never\""))
        #expect(error.kind == .runtime)
        #expect(error.position == SourcePosition(line: 2, column: 3))
        #expect(
            error.description == "line 2, column 3: SET TASK PRIORITY failed: Task tsk_9 not found (task_not_found)")
        #expect(error.method == "tasks.update")
        #expect(error.cause?.code == 404)
    }

    @Test(arguments: [
        ("x = \"a\" + 1", "line 1, column 9: + needs two numbers, not a string and a number; join text with &"),
        ("x = 1 / 0", "line 1, column 7: division by zero"),
        ("IF 1 THEN TALK 1", "line 1, column 4: IF needs TRUE or FALSE, not a number"),
        ("x = 1 AND TRUE", "line 1, column 7: AND needs TRUE or FALSE, not a number"),
        ("x = \"a\" < 1", "line 1, column 9: cannot order a string and a number with <"),
        ("x = -\"a\"", "line 1, column 5: - needs a number, not a string"),
        ("TALK y", "line 1, column 6: the variable y has no value yet"),
    ])
    func runtimeErrorsNameLineAndColumn(source: String, message: String) async throws {
        let error = try #require(await runtimeError(source))
        #expect(error.kind == .runtime)
        #expect(error.description == message)
    }

    @Test func forLoopsCountUpOrDownAndLeaveTheVariablePastTheEnd() async throws {
        let up = try await run("FOR i = 1 TO 3\nTALK i\nNEXT i")
        #expect(up.talk == ["1", "2", "3"])
        #expect(up.variables.map(\.value) == [.number(4)])
        #expect(try await run("FOR i = 10 TO 1 STEP -4\nTALK i\nNEXT").talk == ["10", "6", "2"])
        #expect(try await run("FOR i = 1 TO 0\nTALK i\nNEXT").talk == [])
        // The bounds are evaluated once; changing the variable in the body moves the loop on.
        #expect(try await run("n = 3\nFOR i = 1 TO n\nn = 100\nTALK i\ni = i + 1\nNEXT").talk == ["1", "3"])
    }

    @Test func whileLoopsRunUntilTheConditionIsFalse() async throws {
        let outcome = try await run("x = 1\nWHILE x < 100\nx = x * 3\nWEND\nTALK x")
        #expect(outcome.talk == ["243"])
    }

    @Test func loopsMakeOneCallPerTurn() async throws {
        let outcome = try await run("FOR n = 1 TO 3\nid = CREATE TASK \"Step \" & n\nNEXT")
        #expect(outcome.calls == 3)
        #expect(api.calls.last == #"tasks.create {"title":"Step 3"}"#)
    }

    @Test func anEndlessLoopIsStoppedByTheStepLimit() async throws {
        let limits = BasicLimits(maxSteps: 1_000)
        let empty = try #require(await runtimeError("FOR i = 1 TO 1e300\nNEXT", limits: limits))
        #expect(empty.limit == .steps && empty.position == SourcePosition(line: 1, column: 1))
        let forever = try #require(await runtimeError("x = 0\nWHILE TRUE\nx = x + 1\nWEND", limits: limits))
        #expect(forever.limit == .steps)
        #expect(
            try #require(await runtimeError("FOR i = 1 TO 2 STEP 0\nNEXT"))
                .description == "line 1, column 1: STEP 0 would never end")
        #expect(
            try #require(await runtimeError("WHILE 1\nWEND"))
                .description == "line 1, column 7: WHILE needs TRUE or FALSE, not a number")
    }

    @Test func andOrShortCircuit() async throws {
        #expect(try await run("IF FALSE AND missing THEN TALK 1\nIF TRUE OR missing THEN TALK 2").talk == ["2"])
    }

    @Test func theStepLimitStopsARunAtTheStatementOverIt() async throws {
        let limits = BasicLimits(maxSteps: 3)
        let error = try #require(await runtimeError("a = 1\nb = 2\nc = 3\nd = 4", limits: limits))
        #expect(error.limit == .steps)
        #expect(error.description == "line 4, column 1: the script ran more than 3 steps")
    }

    @Test func theTimeLimitIsCheckedBeforeEveryStatement() async throws {
        let clock = Mutex(0.0)
        // Every reading moves the clock on by 4 seconds: the third statement starts past 10 seconds.
        let elapsed: @Sendable () -> Double = {
            clock.withLock {
                $0 += 4; return $0
            }
        }
        let error = try #require(await runtimeError("a = 1\nb = 2\nc = 3\nd = 4", elapsed: elapsed))
        #expect(error.limit == .time)
        #expect(error.description == "line 3, column 1: the script ran longer than 10 seconds")
    }

    @Test func talkIsBoundedInLinesAndBytes() async throws {
        let lines = try #require(
            await runtimeError("TALK 1\nTALK 2\nTALK 3", limits: BasicLimits(maxTalkLines: 2)))
        #expect(lines.limit == .talkLines && lines.position.line == 3)
        // The lines said before the error travel with it.
        #expect(lines.talk == ["1", "2"])
        let bytes = try #require(
            await runtimeError("TALK \"abc\"\nTALK \"def\"", limits: BasicLimits(maxTalkBytes: 5)))
        #expect(bytes.limit == .talkBytes && bytes.position.line == 2)
    }

    @Test func stringsAreBoundedInLength() async throws {
        let error = try #require(
            await runtimeError("a = \"abcd\"\nb = a & a\nc = b + b", limits: BasicLimits(maxStringBytes: 10)))
        #expect(error.limit == .stringBytes)
        #expect(error.position == SourcePosition(line: 3, column: 7))
    }

    @Test func aCancelledRunStopsBeforeTheNextStatement() async throws {
        let program = try Program(parsing: "TALK 1\nx = CREATE TASK \"t\"")
        let interpreter = Interpreter(now: { 0 })
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await interpreter.run(program, call: api.call)
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(api.calls.isEmpty)
    }

    /// The spec's snippet, byte for byte (tasks-api.md, "Integration with BASIC").
    static let specSnippet = SpecExamples.basic
}
