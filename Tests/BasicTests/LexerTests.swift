import Testing

@testable import Basic

/// Tokens, comments, literals and positions.
struct LexerTests {
    func kinds(_ source: String) throws -> [Token.Kind] { try Lexer.tokens(of: source).map(\.kind) }

    @Test func keywordsAreCaseInsensitiveAndNamesKeepTheirSpelling() throws {
        #expect(
            try kinds("if Status then talk x") == [
                .keyword(.if), .identifier("Status"), .keyword(.then), .keyword(.talk), .identifier("x"), .end,
            ])
    }

    @Test func commentsDisappearButTheirLineEndsStay() throws {
        #expect(
            try kinds("' a comment\nx = 1 ' trailing\nREM whole line\nrem too") == [
                .newline, .identifier("x"), .symbol(.equal), .number(1), .newline, .newline, .end,
            ])
    }

    @Test func stringsNumbersAndTwoCharacterSymbols() throws {
        #expect(
            try kinds(#""say ""hi""" 1.5 2e3 .5 <> <= >= < > & ,"#) == [
                .string(#"say "hi""#), .number(1.5), .number(2000), .number(0.5), .symbol(.notEqual),
                .symbol(.lessOrEqual), .symbol(.greaterOrEqual), .symbol(.less), .symbol(.greater),
                .symbol(.ampersand), .symbol(.comma), .end,
            ])
    }

    @Test func positionsAreLineAndColumnFromOne() throws {
        let tokens = try Lexer.tokens(of: "a = 1\r\n  TALK \"é\" & b")
        #expect(
            tokens.map(\.position) == [
                .init(line: 1, column: 1), .init(line: 1, column: 3), .init(line: 1, column: 5),
                .init(line: 1, column: 6), .init(line: 2, column: 3), .init(line: 2, column: 8),
                .init(line: 2, column: 12), .init(line: 2, column: 14), .init(line: 2, column: 15),
            ])
    }

    @Test func anUnterminatedStringNamesWhereItStarts() {
        #expect(throws: BasicError(.syntax, at: .init(line: 2, column: 5), "unterminated string: add a closing \"")) {
            try Lexer.tokens(of: "x = 1\ny = \"abc\nz = 2")
        }
    }

    @Test func anUnknownCharacterIsASyntaxError() {
        #expect(throws: BasicError(.syntax, at: .init(line: 1, column: 7), "unexpected character '#'")) {
            try Lexer.tokens(of: "x = 1 # 2")
        }
    }
}
