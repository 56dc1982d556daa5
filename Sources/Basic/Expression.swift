/// An expression of the syntax tree, with the position of the token that defines it (the operator of a
/// binary expression, the name of a variable, the first word of a task keyword).
package indirect enum Expression: Sendable, Equatable {
    /// The operators that take one operand.
    package enum UnaryOperator: String, Sendable, Equatable {
        case negate = "-"
        case plus = "+"
        case not = "NOT"
    }

    /// The operators that take two operands.
    package enum BinaryOperator: String, Sendable, Equatable {
        case add = "+"
        case subtract = "-"
        case multiply = "*"
        case divide = "/"
        case modulo = "MOD"
        case concatenate = "&"
        case equal = "="
        case notEqual = "<>"
        case less = "<"
        case greater = ">"
        case lessOrEqual = "<="
        case greaterOrEqual = ">="
        case and = "AND"
        case or = "OR"
    }

    /// A literal value.
    case literal(Value, SourcePosition)
    /// A variable's value; `name` is as written.
    case variable(String, SourcePosition)
    /// A unary operation.
    case unary(UnaryOperator, Expression, SourcePosition)
    /// A binary operation.
    case binary(BinaryOperator, Expression, Expression, SourcePosition)
    /// A built-in function call (`NOW()`), the name in upper case.
    case function(String, [Expression], SourcePosition)
    /// A task keyword that yields a value (`CREATE TASK`, `GET TASK STATUS`, `ADD TASK COMMENT`): only as the
    /// whole right side of an assignment.
    case task(TaskCall)

    /// Where the expression is.
    package var position: SourcePosition {
        switch self {
        case .literal(_, let position), .variable(_, let position), .unary(_, _, let position),
            .binary(_, _, _, let position), .function(_, _, let position):
            position
        case .task(let call): call.position
        }
    }
}

/// One use of a task keyword: which one, its arguments, and where it starts.
package struct TaskCall: Sendable, Equatable {
    /// The keyword.
    package var keyword: TaskKeyword
    /// The argument expressions, in order.
    package var arguments: [Expression]
    /// Where the keyword's first word is.
    package var position: SourcePosition

    package init(_ keyword: TaskKeyword, arguments: [Expression], at position: SourcePosition) {
        self.keyword = keyword
        self.arguments = arguments
        self.position = position
    }
}
