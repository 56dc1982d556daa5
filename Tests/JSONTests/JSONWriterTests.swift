import JSON
import Testing

@Suite struct JSONWriterTests {
    @Test func writesCompactSingleLineJSON() {
        let value: JSONValue = ["b": [1, true, nil], "a": "x/y", "c": ["nested": "line\nbreak"]]
        #expect(JSONWriter.string(value) == #"{"b":[1,true,null],"a":"x/y","c":{"nested":"line\nbreak"}}"#)
    }

    @Test func escapesQuotesBackslashesAndControlCharacters() {
        let value = JSONValue.string("\"\\\u{00}\u{1F}\t\r é😀")
        #expect(JSONWriter.string(value) == #""\"\\\u0000\u001f\t\r é😀""#)
    }

    @Test func echoesNumberLiteralsExactly() throws {
        for literal in ["1", "1.0", "1e3", "-0.0", "12345678901234567890"] {
            #expect(JSONWriter.string(try JSONParser.parse(literal)) == literal)
        }
    }

    @Test func encodesSwiftNumbers() {
        #expect(JSONValue.int(-3) == .number("-3"))
        #expect(JSONValue.double(2) == .number("2"))
        #expect(JSONValue.double(0.81) == .number("0.81"))
        #expect(JSONValue.double(.nan) == .null)
    }

    @Test(arguments: [
        #"{"a":[1,2,{"b":null}],"c":"\u0000é","d":-1.5e-3}"#,
        #"[]"#,
        #""\ud83d\ude00""#,
    ])
    func roundTripsThroughTheParser(text: String) throws {
        let value = try JSONParser.parse(text)
        #expect(try JSONParser.parse(JSONWriter.bytes(value)) == value)
    }

    @Test func prettyPrintingSortsKeys() {
        let value: JSONValue = ["b": 1, "a": [2]]
        #expect(JSONWriter.prettyString(value) == "{\n  \"a\": [\n    2\n  ],\n  \"b\": 1\n}\n")
    }

    @Test func objectSubscriptSetsReplacesAndRemoves() {
        var object: JSONObject = ["a": 1]
        object["b"] = 2
        object["a"] = 3
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == 3)
        object["a"] = nil
        #expect(object.keys == ["b"])
    }
}
