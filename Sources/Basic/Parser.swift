/// Turns tokens into a ``Program``, reporting the first syntax error with its line and column and what
/// was expected there.
///
/// The grammar, one statement per line:
/// ```
/// statement  := [LET] name "=" (expression | value-keyword) | TALK expression | task-keyword | if | for
///             | while
/// for        := FOR name "=" expression TO expression [STEP expression] newline block NEXT [name]
/// while      := WHILE expression newline block WEND
/// if         := IF expression THEN newline block {ELSEIF expression THEN newline block}
///               [ELSE newline block] END IF
///             | IF expression THEN statement [ELSE statement]
/// expression := or;  or := and {OR and};  and := not {AND not};  not := NOT not | comparison
/// comparison := concat [("=" | "<>" | "<" | ">" | "<=" | ">=") concat]
/// concat     := sum {"&" sum};  sum := product {("+" | "-") product}
/// product    := unary {("*" | "/" | MOD) unary};  unary := ("-" | "+") unary | primary
/// primary    := number | string | TRUE | FALSE | NULL | name | name "(" [arguments] ")" | "(" expression ")"
/// ```
struct Parser {
    private let tokens: [Token]
    private var index = 0
    private let limits: BasicLimits
    private var depth = 0

    /// The built-in functions and how many arguments each takes.
    static let functions: [String: Int] = ["NOW": 0]

    private init(tokens: [Token], limits: BasicLimits) {
        self.tokens = tokens
        self.limits = limits
    }

    /// Parses a whole script.
    static func parse(_ source: String, limits: BasicLimits) throws(BasicError) -> Program {
        let size = source.utf8.count
        guard size <= limits.maxSourceBytes else {
            throw BasicError(
                .syntax, at: SourcePosition(line: 1, column: 1),
                "the script is \(size) bytes; at most \(limits.maxSourceBytes) are allowed", limit: .sourceBytes)
        }
        var parser = Parser(tokens: try Lexer.tokens(of: source), limits: limits)
        return Program(try parser.block(until: []))
    }

    // MARK: Tokens

    private var current: Token { tokens[index] }

    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private func isKeyword(_ keyword: Keyword, _ token: Token? = nil) -> Bool {
        (token ?? current).kind == .keyword(keyword)
    }

    private func isSymbol(_ symbol: Symbol) -> Bool { current.kind == .symbol(symbol) }

    private var atLineEnd: Bool { current.kind == .newline || current.kind == .end }

    private func expected(_ what: String, at token: Token? = nil) -> BasicError {
        let token = token ?? current
        return BasicError(.syntax, at: token.position, "expected \(what), found \(token.spelling)")
    }

    private mutating func expect(_ keyword: Keyword) throws(BasicError) {
        guard isKeyword(keyword) else { throw expected(keyword.rawValue) }
        _ = advance()
    }

    private mutating func expectLineEnd() throws(BasicError) {
        guard atLineEnd else { throw expected("end of line") }
        if current.kind == .newline { _ = advance() }
    }

    private mutating func nest(at position: SourcePosition) throws(BasicError) {
        depth += 1
        guard depth <= limits.maxDepth else {
            throw BasicError(
                .syntax, at: position, "the script nests deeper than \(limits.maxDepth) levels", limit: .depth)
        }
    }

    // MARK: Statements

    /// Statements up to (not including) a line starting with one of `terminators` or the end of the script.
    private mutating func block(until terminators: [Keyword]) throws(BasicError) -> [Statement] {
        var statements: [Statement] = []
        while true {
            while current.kind == .newline { _ = advance() }
            if current.kind == .end { return statements }
            if case .keyword(let keyword) = current.kind, terminators.contains(keyword) { return statements }
            statements.append(try statement(inline: false))
        }
    }

    /// One statement; `inline` for the statements of a one-line `IF`, which leave the line end to it.
    private mutating func statement(inline: Bool) throws(BasicError) -> Statement {
        let start = current
        let statement: Statement
        switch start.kind {
        case .keyword(.let):
            _ = advance()
            guard case .identifier(let name) = current.kind else { throw expected("a variable name") }
            _ = advance()
            statement = try assignment(to: name, at: start.position)
        case .identifier(let name):
            _ = advance()
            guard isSymbol(.equal) else { throw expected("= after \(name)") }
            statement = try assignment(to: name, at: start.position)
        case .keyword(.talk):
            _ = advance()
            guard !atLineEnd else { throw expected("an expression after TALK") }
            statement = .talk(try expression(), at: start.position)
        case .keyword(.if):
            return try ifStatement(inline: inline)
        case .keyword(.for), .keyword(.while):
            guard !inline else {
                throw BasicError(
                    .syntax, at: start.position, "a \(start.spelling) loop cannot follow THEN or ELSE on one line")
            }
            return try start.kind == .keyword(.for) ? forLoop() : whileLoop()
        case .keyword(.next):
            throw BasicError(.syntax, at: start.position, "NEXT without a matching FOR")
        case .keyword(.wend):
            throw BasicError(.syntax, at: start.position, "WEND without a matching WHILE")
        case .keyword(let verb) where !TaskKeyword.starting(with: verb).isEmpty:
            statement = .task(try taskCall())
        case .keyword(.else), .keyword(.elseIf), .keyword(.end):
            throw BasicError(.syntax, at: start.position, "\(start.spelling) without a matching IF")
        case .keyword(let keyword):
            throw BasicError(
                .syntax, at: start.position, "expected a statement, found \(keyword.rawValue), which is a keyword")
        default:
            throw expected("a statement")
        }
        if !inline { try expectLineEnd() }
        return statement
    }

    private mutating func assignment(to name: String, at position: SourcePosition) throws(BasicError) -> Statement {
        guard isSymbol(.equal) else { throw expected("= after the variable \(name)") }
        _ = advance()
        if case .keyword(let verb) = current.kind, !TaskKeyword.starting(with: verb).isEmpty {
            let call = try taskCall()
            guard call.keyword.yieldsValue else {
                throw BasicError(
                    .syntax, at: call.position,
                    "\(call.keyword.rawValue) yields no value; write it as a statement of its own")
            }
            return .assign(name: name, value: .task(call), at: position)
        }
        guard !atLineEnd else { throw expected("an expression after =") }
        return .assign(name: name, value: try expression(), at: position)
    }

    private mutating func taskCall() throws(BasicError) -> TaskCall {
        let start = advance()
        guard case .keyword(let verb) = start.kind else { throw expected("a task keyword", at: start) }
        var candidates = TaskKeyword.starting(with: verb)
        var wordIndex = 0
        while !candidates.contains(where: { $0.words.count == wordIndex }) {
            let options = Set(candidates.map { $0.words[wordIndex] }).sorted()
            guard case .identifier(let word) = current.kind, options.contains(word.uppercased()) else {
                throw expected(options.count == 1 ? options[0] : "one of " + options.joined(separator: ", "))
            }
            _ = advance()
            candidates = candidates.filter { $0.words[wordIndex] == word.uppercased() }
            wordIndex += 1
        }
        guard let keyword = candidates.first(where: { $0.words.count == wordIndex }) else {
            throw expected("a task keyword", at: start)
        }
        var arguments: [Expression] = []
        let names = keyword.argumentNames
        let required = names.count - keyword.optionalCount
        while arguments.count < names.count {
            if arguments.count >= required, atLineEnd || isKeyword(.else) { break }
            if !arguments.isEmpty {
                guard isSymbol(.comma) else {
                    throw expected(", and the \(names[arguments.count]) of \(keyword.rawValue)")
                }
                _ = advance()
            }
            guard !atLineEnd else { throw expected("the \(names[arguments.count]) of \(keyword.rawValue)") }
            arguments.append(try expression())
        }
        if isSymbol(.comma) {
            throw BasicError(
                .syntax, at: current.position, "\(keyword.rawValue) takes at most \(names.count) arguments")
        }
        return TaskCall(keyword, arguments: arguments, at: start.position)
    }

    private mutating func forLoop() throws(BasicError) -> Statement {
        let start = advance()
        try nest(at: start.position)
        defer { depth -= 1 }
        guard case .identifier(let name) = current.kind else { throw expected("the loop variable after FOR") }
        _ = advance()
        guard isSymbol(.equal) else { throw expected("= after \(name)") }
        _ = advance()
        let first = try expression()
        try expect(.to)
        let last = try expression()
        var step: Expression?
        if isKeyword(.step) {
            _ = advance()
            step = try expression()
        }
        try expectLineEnd()
        let body = try block(until: [.next])
        guard isKeyword(.next) else {
            throw BasicError(.syntax, at: current.position, "expected NEXT for the FOR at \(start.position)")
        }
        _ = advance()
        if case .identifier(let closing) = current.kind {
            guard closing.uppercased() == name.uppercased() else {
                throw BasicError(.syntax, at: current.position, "NEXT \(closing) closes the FOR of \(name)")
            }
            _ = advance()
        }
        try expectLineEnd()
        return .forLoop(name: name, first: first, last: last, step: step, body: body, at: start.position)
    }

    private mutating func whileLoop() throws(BasicError) -> Statement {
        let start = advance()
        try nest(at: start.position)
        defer { depth -= 1 }
        let condition = try expression()
        try expectLineEnd()
        let body = try block(until: [.wend])
        guard isKeyword(.wend) else {
            throw BasicError(.syntax, at: current.position, "expected WEND for the WHILE at \(start.position)")
        }
        _ = advance()
        try expectLineEnd()
        return .whileLoop(condition: condition, body: body, at: start.position)
    }

    private mutating func ifStatement(inline: Bool) throws(BasicError) -> Statement {
        let start = advance()
        try nest(at: start.position)
        defer { depth -= 1 }
        var conditions: [(Expression, [Statement])] = []
        let condition = try expression()
        try expect(.then)
        if !atLineEnd {
            // The one-line form: IF c THEN statement [ELSE statement].
            let body = try statement(inline: true)
            var otherwise: [Statement] = []
            if isKeyword(.else) {
                _ = advance()
                otherwise = [try statement(inline: true)]
            }
            if !inline { try expectLineEnd() }
            return .branch(conditions: [(condition, [body])], otherwise: otherwise, at: start.position)
        }
        guard !inline else {
            throw BasicError(.syntax, at: current.position, "a block IF cannot follow THEN or ELSE on one line")
        }
        try expectLineEnd()
        conditions.append((condition, try block(until: [.elseIf, .else, .end])))
        var otherwise: [Statement] = []
        while true {
            guard current.kind != .end else {
                throw BasicError(.syntax, at: current.position, "expected END IF for the IF at \(start.position)")
            }
            if isKeyword(.elseIf) {
                _ = advance()
                let condition = try expression()
                try expect(.then)
                try expectLineEnd()
                conditions.append((condition, try block(until: [.elseIf, .else, .end])))
            } else if isKeyword(.else) {
                _ = advance()
                try expectLineEnd()
                otherwise = try block(until: [.end])
                guard isKeyword(.end) else {
                    throw BasicError(.syntax, at: current.position, "expected END IF for the IF at \(start.position)")
                }
            } else {
                _ = advance()
                try expect(.if)
                try expectLineEnd()
                return .branch(conditions: conditions, otherwise: otherwise, at: start.position)
            }
        }
    }

    // MARK: Expressions

    private mutating func expression() throws(BasicError) -> Expression {
        try nest(at: current.position)
        defer { depth -= 1 }
        return try or()
    }

    private mutating func or() throws(BasicError) -> Expression {
        var left = try and()
        let outer = depth
        defer { depth = outer }
        while isKeyword(.or) {
            let position = advance().position
            try nest(at: position)
            left = .binary(.or, left, try and(), position)
        }
        return left
    }

    private mutating func and() throws(BasicError) -> Expression {
        var left = try not()
        let outer = depth
        defer { depth = outer }
        while isKeyword(.and) {
            let position = advance().position
            try nest(at: position)
            left = .binary(.and, left, try not(), position)
        }
        return left
    }

    private mutating func not() throws(BasicError) -> Expression {
        guard isKeyword(.not) else { return try comparison() }
        let position = advance().position
        try nest(at: position)
        defer { depth -= 1 }
        return .unary(.not, try not(), position)
    }

    private mutating func comparison() throws(BasicError) -> Expression {
        let left = try concatenation()
        let operators: [Symbol: Expression.BinaryOperator] = [
            .equal: .equal, .notEqual: .notEqual, .less: .less, .greater: .greater, .lessOrEqual: .lessOrEqual,
            .greaterOrEqual: .greaterOrEqual,
        ]
        guard case .symbol(let symbol) = current.kind, let op = operators[symbol] else { return left }
        let position = advance().position
        let right = try concatenation()
        if case .symbol(let next) = current.kind, operators[next] != nil {
            throw BasicError(
                .syntax, at: current.position, "comparisons do not chain: join them with AND or OR")
        }
        return .binary(op, left, right, position)
    }

    private mutating func concatenation() throws(BasicError) -> Expression {
        var left = try sum()
        let outer = depth
        defer { depth = outer }
        while isSymbol(.ampersand) {
            let position = advance().position
            try nest(at: position)
            left = .binary(.concatenate, left, try sum(), position)
        }
        return left
    }

    private mutating func sum() throws(BasicError) -> Expression {
        var left = try product()
        let outer = depth
        defer { depth = outer }
        while isSymbol(.plus) || isSymbol(.minus) {
            let token = advance()
            try nest(at: token.position)
            left = .binary(token.kind == .symbol(.plus) ? .add : .subtract, left, try product(), token.position)
        }
        return left
    }

    private mutating func product() throws(BasicError) -> Expression {
        var left = try unary()
        let outer = depth
        defer { depth = outer }
        while isSymbol(.times) || isSymbol(.divide) || isKeyword(.mod) {
            let token = advance()
            try nest(at: token.position)
            let op: Expression.BinaryOperator =
                switch token.kind {
                case .symbol(.times): .multiply
                case .symbol(.divide): .divide
                default: .modulo
                }
            left = .binary(op, left, try unary(), token.position)
        }
        return left
    }

    private mutating func unary() throws(BasicError) -> Expression {
        guard isSymbol(.minus) || isSymbol(.plus) else { return try primary() }
        let token = advance()
        try nest(at: token.position)
        defer { depth -= 1 }
        return .unary(token.kind == .symbol(.minus) ? .negate : .plus, try unary(), token.position)
    }

    private mutating func primary() throws(BasicError) -> Expression {
        let token = current
        switch token.kind {
        case .number(let value):
            _ = advance()
            return .literal(.number(value), token.position)
        case .string(let text):
            _ = advance()
            return .literal(.string(text), token.position)
        case .keyword(.true):
            _ = advance()
            return .literal(.boolean(true), token.position)
        case .keyword(.false):
            _ = advance()
            return .literal(.boolean(false), token.position)
        case .keyword(.null):
            _ = advance()
            return .literal(.null, token.position)
        case .identifier(let name):
            _ = advance()
            guard isSymbol(.openParen) else { return .variable(name, token.position) }
            let function = name.uppercased()
            guard let arity = Self.functions[function] else {
                throw BasicError(.syntax, at: token.position, "unknown function \(name)")
            }
            _ = advance()
            var arguments: [Expression] = []
            if !isSymbol(.closeParen) {
                arguments.append(try expression())
                while isSymbol(.comma) {
                    _ = advance()
                    arguments.append(try expression())
                }
            }
            guard isSymbol(.closeParen) else { throw expected(")") }
            _ = advance()
            guard arguments.count == arity else {
                throw BasicError(
                    .syntax, at: token.position,
                    "\(function)() takes \(arity == 0 ? "no" : String(arity)) argument\(arity == 1 ? "" : "s")")
            }
            return .function(function, arguments, token.position)
        case .symbol(.openParen):
            _ = advance()
            let inner = try expression()
            guard isSymbol(.closeParen) else { throw expected(")") }
            _ = advance()
            return inner
        case .keyword(let verb) where !TaskKeyword.starting(with: verb).isEmpty:
            throw BasicError(
                .syntax, at: token.position,
                "a task keyword can only stand alone or on the right of =: assign its value to a variable first")
        default:
            throw expected("an expression")
        }
    }
}
