import JSON
import Testing

@Suite struct JSONParserTests {
    @Test(arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("0", .number("0")),
        ("-12", .number("-12")),
        ("1.0", .number("1.0")),
        ("1e3", .number("1e3")),
        ("-0.5E-7", .number("-0.5E-7")),
        ("\"\"", .string("")),
        ("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", .string("a\"b\\c/d\u{08}\u{0C}\n\r\t")),
        ("\"\\u00e9\\u20AC\"", .string("é€")),
        ("\"\\ud83d\\ude00\"", .string("😀")),
        ("\"héllo 😀\"", .string("héllo 😀")),
        (" [ 1 , [ ] , { } ] ", .array([.number("1"), .array([]), .object([:])])),
    ])
    func parsesValidDocuments(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test func keepsObjectKeyOrderAndLastDuplicateWins() throws {
        let value = try JSONParser.parse(#"{"b":1,"a":2,"b":3}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["b", "a", "b"])
        #expect(object["b"] == .number("3"))
    }

    @Test(arguments: [
        "", " ", "nul", "tru", "01", "-", "1.", ".5", "1e", "+1", "[1,]", "{\"a\":1,}", "{a:1}", "[1 2]",
        "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\u{01}\"", "1 2", "{\"a\" 1}", "[",
        "NaN", "Infinity", "'a'",
    ])
    func rejectsInvalidDocuments(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
    }

    @Test func limitsNestingInsteadOfOverflowingTheStack() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        #expect(error?.reason == "nesting too deep")
        let allowed =
            String(repeating: "[", count: JSONParser.maximumDepth)
            + String(repeating: "]", count: JSONParser.maximumDepth)
        #expect(throws: Never.self) { try JSONParser.parse(allowed) }
    }

    @Test func reportsTheOffsetOfTheProblem() {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse("[1, x]") }
        #expect(error?.offset == 4)
    }

    @Test func readsNumbersAsSwiftValues() throws {
        #expect(JSONValue.number("42").intValue == 42)
        #expect(JSONValue.number("42.0").intValue == 42)
        #expect(JSONValue.number("4.5").intValue == nil)
        #expect(JSONValue.number("1e300").intValue == nil)
        #expect(JSONValue.number("4.5").doubleValue == 4.5)
        #expect(JSONValue.string("4").intValue == nil)
    }
}
