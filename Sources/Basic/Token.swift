/// One word, literal or symbol of a script, with where it starts.
package struct Token: Sendable, Equatable {
    /// What the token is.
    package enum Kind: Sendable, Equatable {
        /// A name: a variable, a function, or one of the words of a task keyword (`TASK`, `PRIORITY`),
        /// spelled as written.
        case identifier(String)
        /// A reserved word.
        case keyword(Keyword)
        /// A number literal.
        case number(Double)
        /// A string literal, without its quotes and with `""` already turned into `"`.
        case string(String)
        /// An operator or punctuation.
        case symbol(Symbol)
        /// The end of a line.
        case newline
        /// The end of the script.
        case end
    }

    /// What the token is.
    package var kind: Kind
    /// Where its first character is.
    package var position: SourcePosition

    package init(_ kind: Kind, at position: SourcePosition) {
        self.kind = kind
        self.position = position
    }

    /// How an error message names the token (`THEN`, `"abc"`, `end of line`).
    package var spelling: String {
        switch kind {
        case .identifier(let name): name
        case .keyword(let keyword): keyword.rawValue
        case .number(let value): Value.number(value).text
        case .string(let text): "\"\(text)\""
        case .symbol(let symbol): symbol.rawValue
        case .newline: "end of line"
        case .end: "end of script"
        }
    }
}

/// The reserved words, which no variable may be named. Keywords are case-insensitive.
///
/// The words after a task keyword's verb (`TASK`, `PRIORITY`, `DUE`, `DATE`, `STATUS`, ...) are not
/// reserved, so the spec's `status = GET TASK STATUS task_id` works.
package enum Keyword: String, Sendable, CaseIterable {
    case `let` = "LET"
    case `if` = "IF"
    case then = "THEN"
    case `else` = "ELSE"
    case elseIf = "ELSEIF"
    case end = "END"
    case talk = "TALK"
    case and = "AND"
    case or = "OR"
    case not = "NOT"
    case mod = "MOD"
    case `true` = "TRUE"
    case `false` = "FALSE"
    case null = "NULL"
    case create = "CREATE"
    case set = "SET"
    case get = "GET"
    case add = "ADD"
    case complete = "COMPLETE"
    case `for` = "FOR"
    case to = "TO"
    case step = "STEP"
    case next = "NEXT"
    case `while` = "WHILE"
    case wend = "WEND"

    /// The keyword spelled `word` in any case, or `nil`.
    package init?(word: String) {
        self.init(rawValue: word.uppercased())
    }
}

/// The operators and punctuation.
package enum Symbol: String, Sendable, CaseIterable {
    case plus = "+"
    case minus = "-"
    case times = "*"
    case divide = "/"
    case ampersand = "&"
    case equal = "="
    case notEqual = "<>"
    case less = "<"
    case greater = ">"
    case lessOrEqual = "<="
    case greaterOrEqual = ">="
    case openParen = "("
    case closeParen = ")"
    case comma = ","
}
