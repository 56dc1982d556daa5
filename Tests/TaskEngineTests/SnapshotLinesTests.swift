import Testing

@testable import TaskEngine

@Suite struct SnapshotLinesTests {
    @Test(arguments: [
        ("", [String]()), ("\n\n", []), ("a", ["a"]), ("a\n", ["a"]), ("\na\n\nbc\n", ["a", "bc"]),
        ("{\"x\":1}\n{\"y\":2}", ["{\"x\":1}", "{\"y\":2}"]),
    ])
    func splitsOnNewlinesAndSkipsEmptyLines(text: String, expected: [String]) {
        let lines = SnapshotLine.lines(of: Array(text.utf8)).map { String(decoding: $0, as: UTF8.self) }
        #expect(lines == expected)
    }
}
