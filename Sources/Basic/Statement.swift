/// A statement of the syntax tree.
package indirect enum Statement: Sendable, Equatable {
    /// `[LET] name = expression`, where the expression may be a value-yielding task keyword.
    case assign(name: String, value: Expression, at: SourcePosition)
    /// `TALK expression`: adds a line to what the script says.
    case talk(Expression, at: SourcePosition)
    /// `IF c THEN ... [ELSEIF c THEN ...] [ELSE ...] END IF`, or the one-line `IF c THEN s [ELSE s]`: the
    /// first branch whose condition is true runs, else `otherwise`.
    case branch(conditions: [(Expression, [Statement])], otherwise: [Statement], at: SourcePosition)
    /// A task keyword on its own (`SET TASK PRIORITY id, "high"`); a value it yields is dropped.
    case task(TaskCall)
    /// `FOR name = first TO last [STEP step] ... NEXT [name]`: the bounds and step are evaluated once; the
    /// body runs while the variable has not passed `last`, and the variable moves by `step` after each run.
    case forLoop(
        name: String, first: Expression, last: Expression, step: Expression?, body: [Statement], at: SourcePosition)
    /// `WHILE condition ... WEND`: the body runs while the condition is true.
    case whileLoop(condition: Expression, body: [Statement], at: SourcePosition)

    /// Where the statement starts.
    package var position: SourcePosition {
        switch self {
        case .assign(_, _, let position), .talk(_, let position), .branch(_, _, let position),
            .forLoop(_, _, _, _, _, let position), .whileLoop(_, _, let position):
            position
        case .task(let call): call.position
        }
    }

    package static func == (lhs: Statement, rhs: Statement) -> Bool {
        switch (lhs, rhs) {
        case (.assign(let a, let b, let c), .assign(let d, let e, let f)): a == d && b == e && c == f
        case (.talk(let a, let b), .talk(let c, let d)): a == c && b == d
        case (.task(let a), .task(let b)): a == b
        case (.forLoop(let a, let b, let c, let d, let e, let f), .forLoop(let g, let h, let i, let j, let k, let l)):
            a == g && b == h && c == i && d == j && e == k && f == l
        case (.whileLoop(let a, let b, let c), .whileLoop(let d, let e, let f)): a == d && b == e && c == f
        case (.branch(let a, let b, let c), .branch(let d, let e, let f)):
            a.count == d.count && zip(a, d).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 } && b == e && c == f
        default: false
        }
    }
}

/// A parsed script: its statements in order.
package struct Program: Sendable, Equatable {
    /// The top-level statements.
    package var statements: [Statement]

    package init(_ statements: [Statement]) { self.statements = statements }

    /// Parses `source`, refusing one longer than `limits.maxSourceBytes`.
    package init(parsing source: String, limits: BasicLimits = .standard) throws(BasicError) {
        self = try Parser.parse(source, limits: limits)
    }
}
