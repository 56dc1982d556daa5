import Foundation
import Testing

@testable import Basic

/// docs/basic.md shows the spec's snippet exactly as the tests run it, and documents every task keyword.
struct DocumentationTests {
    static func page() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("docs/basic.md"), encoding: .utf8)
    }

    @Test func thePageShowsTheSpecSnippetByteForByte() throws {
        let block = try #require(try Self.page().components(separatedBy: "```basic\n").dropFirst().first)
        #expect(block.components(separatedBy: "```").first == InterpreterTests.specSnippet + "\n")
    }

    @Test func theKeywordTableHasARowForEveryKeyword() throws {
        let rows = try Self.page().split(separator: "\n").filter { $0.hasPrefix("| `") }
        for keyword in TaskKeyword.allCases {
            let row = rows.first { $0.contains(keyword.rawValue + " ") }
            #expect(row?.contains("`\(keyword.method) {") == true, "\(keyword.rawValue)")
        }
    }
}
