import Testing

@testable import Basic

/// The syntax tree, precedence, and syntax errors with their positions.
struct ParserTests {
    func position(_ line: Int, _ column: Int) -> SourcePosition { SourcePosition(line: line, column: column) }

    func syntaxError(_ source: String) -> BasicError? {
        do {
            _ = try Program(parsing: source)
            return nil
        } catch {
            return error
        }
    }

    @Test func multiplicationBindsTighterThanAddition() throws {
        let program = try Program(parsing: "x = 1 + 2 * 3")
        #expect(
            program.statements == [
                .assign(
                    name: "x",
                    value: .binary(
                        .add, .literal(.number(1), position(1, 5)),
                        .binary(
                            .multiply, .literal(.number(2), position(1, 9)), .literal(.number(3), position(1, 13)),
                            position(1, 11)),
                        position(1, 7)),
                    at: position(1, 1))
            ])
    }

    @Test func theSpecsTaskKeywordsParseWithTheirArguments() throws {
        let program = try Program(parsing: "task_id = CREATE TASK \"t\", \"u\"\nset task due date task_id, NOW() + 1")
        #expect(
            program.statements == [
                .assign(
                    name: "task_id",
                    value: .task(
                        TaskCall(
                            .createTask,
                            arguments: [
                                .literal(.string("t"), position(1, 23)), .literal(.string("u"), position(1, 28)),
                            ],
                            at: position(1, 11))),
                    at: position(1, 1)),
                .task(
                    TaskCall(
                        .setTaskDueDate,
                        arguments: [
                            .variable("task_id", position(2, 19)),
                            .binary(
                                .add, .function("NOW", [], position(2, 28)), .literal(.number(1), position(2, 36)),
                                position(2, 34)),
                        ],
                        at: position(2, 1))),
            ])
    }

    @Test func everyKeywordIsRecognised() throws {
        let source = """
            a = CREATE TASK "t"
            SET TASK PRIORITY a, "high"
            SET TASK DUE DATE a, 1
            SET TASK ASSIGNEE a, NULL
            SET TASK PROGRESS a, 10
            SET TASK STATUS a, "in_progress"
            s = GET TASK STATUS a
            c = ADD TASK COMMENT a, "hi"
            COMPLETE TASK a, "done"
            COMPLETE TASK a
            """
        let keywords = try Program(parsing: source).statements.map { statement -> TaskKeyword? in
            switch statement {
            case .task(let call): call.keyword
            case .assign(_, .task(let call), _): call.keyword
            default: nil
            }
        }
        #expect(
            keywords == [
                .createTask, .setTaskPriority, .setTaskDueDate, .setTaskAssignee, .setTaskProgress, .setTaskStatus,
                .getTaskStatus, .addTaskComment, .completeTask, .completeTask,
            ])
    }

    @Test func blockAndOneLineIfWithElseIfAndElse() throws {
        let program = try Program(
            parsing:
                "IF a THEN\n  TALK 1\nELSEIF b THEN\n  TALK 2\nELSE\n  TALK 3\nEND IF\nIF a THEN TALK 4 ELSE TALK 5")
        guard case .branch(let conditions, let otherwise, _) = program.statements[0],
            case .branch(let inlineConditions, let inlineOtherwise, _) = program.statements[1]
        else {
            Issue.record("not two IFs: \(program.statements)")
            return
        }
        #expect(conditions.count == 2 && otherwise.count == 1)
        #expect(
            inlineConditions.count == 1
                && inlineOtherwise == [.talk(.literal(.number(5), position(8, 28)), at: position(8, 23))])
    }

    @Test(arguments: [
        ("IF x = 1\nTALK 1\nEND IF", "line 1, column 9: expected THEN, found end of line"),
        ("x = 1\ny = 2\nIF x = 1 TALK \"a\"", "line 3, column 10: expected THEN, found TALK"),
        ("IF TRUE THEN\nTALK 1\n", "line 3, column 1: expected END IF for the IF at line 1, column 1"),
        ("x = (1 + 2", "line 1, column 11: expected ), found end of script"),
        ("x = 1 +", "line 1, column 8: expected an expression, found end of script"),
        (
            "SET TASK PRIORITY t",
            "line 1, column 20: expected , and the priority of SET TASK PRIORITY, found end of script"
        ),
        (
            "SET TASK COLOUR t, 1",
            "line 1, column 10: expected one of ASSIGNEE, DUE, PRIORITY, PROGRESS, STATUS, found COLOUR"
        ),
        (
            "x = SET TASK PRIORITY t, \"high\"",
            "line 1, column 5: SET TASK PRIORITY yields no value; write it as a statement of its own"
        ),
        (
            "TALK GET TASK STATUS t",
            "line 1, column 6: a task keyword can only stand alone or on the right of =: assign its value to a variable first"
        ),
        ("END IF", "line 1, column 1: END without a matching IF"),
        ("then = 1", "line 1, column 1: expected a statement, found THEN, which is a keyword"),
        ("x = 1 < 2 < 3", "line 1, column 11: comparisons do not chain: join them with AND or OR"),
        ("x = LEN(\"a\")", "line 1, column 5: unknown function LEN"),
        ("x = NOW(1)", "line 1, column 5: NOW() takes no arguments"),
        ("COMPLETE TASK a, \"r\", 3", "line 1, column 21: COMPLETE TASK takes at most 2 arguments"),
        ("FOR i = 1 10\nNEXT", "line 1, column 11: expected TO, found 10"),
        ("FOR i = 1 TO 3\nTALK i\n", "line 3, column 1: expected NEXT for the FOR at line 1, column 1"),
        ("FOR i = 1 TO 3\nNEXT j", "line 2, column 6: NEXT j closes the FOR of i"),
        ("WHILE TRUE\nTALK 1", "line 2, column 7: expected WEND for the WHILE at line 1, column 1"),
        ("NEXT", "line 1, column 1: NEXT without a matching FOR"),
        ("IF TRUE THEN WHILE TRUE", "line 1, column 14: a WHILE loop cannot follow THEN or ELSE on one line"),
    ])
    func syntaxErrorsNameLineColumnAndWhatWasExpected(source: String, message: String) throws {
        let error = try #require(syntaxError(source))
        #expect(error.kind == .syntax)
        #expect(error.description == message)
    }

    @Test func loopsParseWithTheirBoundsAndBodies() throws {
        let program = try Program(parsing: "FOR i = 1 TO n STEP 2\nTALK i\nNEXT I\nWHILE x < 3\nx = x + 1\nWEND")
        #expect(
            program.statements == [
                .forLoop(
                    name: "i", first: .literal(.number(1), position(1, 9)), last: .variable("n", position(1, 14)),
                    step: .literal(.number(2), position(1, 21)),
                    body: [.talk(.variable("i", position(2, 6)), at: position(2, 1))], at: position(1, 1)),
                .whileLoop(
                    condition: .binary(
                        .less, .variable("x", position(4, 7)), .literal(.number(3), position(4, 11)), position(4, 9)),
                    body: [
                        .assign(
                            name: "x",
                            value: .binary(
                                .add, .variable("x", position(5, 5)), .literal(.number(1), position(5, 9)),
                                position(5, 7)),
                            at: position(5, 1))
                    ],
                    at: position(4, 1)),
            ])
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let error = try #require(syntaxError("x = " + String(repeating: "(", count: 10_000) + "1"))
        #expect(error.limit == .depth)
        let negations = try #require(syntaxError("x = " + String(repeating: "-", count: 10_000) + "1"))
        #expect(negations.limit == .depth)
        let ifs = try #require(syntaxError(String(repeating: "IF TRUE THEN\n", count: 300)))
        #expect(ifs.limit == .depth)
        // A long chain of one operator builds a tree as deep as it is long: bounded too.
        let chain = try #require(syntaxError("x = 1" + String(repeating: " + 1", count: 10_000)))
        #expect(chain.limit == .depth)
        #expect(try Program(parsing: "x = 1" + String(repeating: " & 1", count: 150)).statements.count == 1)
    }

    @Test func aScriptOverTheSourceLimitIsRefusedBeforeParsing() throws {
        let limits = BasicLimits(maxSourceBytes: 10)
        #expect(throws: BasicError.self) { try Program(parsing: "TALK \"12345678\"", limits: limits) }
        #expect(try Program(parsing: "TALK 12", limits: limits).statements.count == 1)
    }
}
