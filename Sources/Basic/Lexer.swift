/// Splits a script into tokens, dropping comments (`REM ...` and `' ...`) and keeping line ends.
///
/// A string is written in double quotes on one line, with `""` for a quote inside it. A number is digits
/// with an optional fraction and exponent (`24`, `1.5`, `2e3`). Names start with a letter or `_` and go on
/// with letters, digits and `_`.
package struct Lexer {
    private let characters: [Character]
    private var index = 0
    private var line = 1
    private var column = 1

    /// A lexer over `source`.
    package init(_ source: String) {
        characters = Array(source)
    }

    /// Every token of the script, ending with ``Token/Kind/end``.
    package static func tokens(of source: String) throws(BasicError) -> [Token] {
        var lexer = Lexer(source)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private var current: Character? { index < characters.count ? characters[index] : nil }

    private func peek(_ offset: Int = 1) -> Character? {
        index + offset < characters.count ? characters[index + offset] : nil
    }

    private var position: SourcePosition { SourcePosition(line: line, column: column) }

    private mutating func advance() {
        guard let character = current else { return }
        index += 1
        if character.isNewline {
            line += 1
            column = 1
        } else {
            column += 1
        }
    }

    private mutating func skipToEndOfLine() {
        while let character = current, !character.isNewline { advance() }
    }

    /// The next token.
    package mutating func next() throws(BasicError) -> Token {
        while let character = current {
            if character.isNewline {
                let start = position
                advance()
                return Token(.newline, at: start)
            }
            if character.isWhitespace {
                advance()
            } else if character == "'" {
                skipToEndOfLine()
            } else {
                break
            }
        }
        let start = position
        guard let character = current else { return Token(.end, at: start) }
        if character == "\"" { return Token(.string(try string()), at: start) }
        if character.isASCII, character.isNumber || (character == "." && (peek()?.isASCIINumber ?? false)) {
            return Token(.number(try number()), at: start)
        }
        if character.isLetter || character == "_" {
            var word = ""
            while let next = current, next.isLetter || next.isNumber || next == "_" {
                word.append(next)
                advance()
            }
            if word.uppercased() == "REM" {
                skipToEndOfLine()
                return try self.next()
            }
            if let keyword = Keyword(word: word) { return Token(.keyword(keyword), at: start) }
            return Token(.identifier(word), at: start)
        }
        advance()
        let symbol: Symbol
        switch character {
        case "+": symbol = .plus
        case "-": symbol = .minus
        case "*": symbol = .times
        case "/": symbol = .divide
        case "&": symbol = .ampersand
        case "=": symbol = .equal
        case "(": symbol = .openParen
        case ")": symbol = .closeParen
        case ",": symbol = .comma
        case "<":
            if current == ">" {
                advance()
                symbol = .notEqual
            } else if current == "=" {
                advance()
                symbol = .lessOrEqual
            } else {
                symbol = .less
            }
        case ">":
            if current == "=" {
                advance()
                symbol = .greaterOrEqual
            } else {
                symbol = .greater
            }
        default:
            throw BasicError(.syntax, at: start, "unexpected character '\(character)'")
        }
        return Token(.symbol(symbol), at: start)
    }

    private mutating func string() throws(BasicError) -> String {
        let start = position
        advance()
        var text = ""
        while true {
            guard let character = current, !character.isNewline else {
                throw BasicError(.syntax, at: start, "unterminated string: add a closing \"")
            }
            advance()
            if character == "\"" {
                guard current == "\"" else { return text }
                advance()
            }
            text.append(character)
        }
    }

    private mutating func number() throws(BasicError) -> Double {
        let start = position
        var text = ""
        func digits(_ text: inout String, _ lexer: inout Lexer) {
            while let character = lexer.current, character.isASCIINumber {
                text.append(character)
                lexer.advance()
            }
        }
        digits(&text, &self)
        if current == ".", peek()?.isASCIINumber ?? false {
            text.append(".")
            advance()
            digits(&text, &self)
        }
        if let e = current, e == "e" || e == "E" {
            let sign = peek()
            let hasSign = sign == "+" || sign == "-"
            if (hasSign ? peek(2) : sign)?.isASCIINumber ?? false {
                text.append("e")
                advance()
                if hasSign, let sign {
                    text.append(sign)
                    advance()
                }
                digits(&text, &self)
            }
        }
        if let next = current, next.isLetter || next == "_" {
            throw BasicError(
                .syntax, at: start, "a number cannot run into a name: put a space or an operator after \(text)")
        }
        guard let value = Double(text), value.isFinite else {
            throw BasicError(.syntax, at: start, "the number \(text) is too large")
        }
        return value
    }
}

extension Character {
    fileprivate var isASCIINumber: Bool { isASCII && isNumber }
}
