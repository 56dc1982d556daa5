import Foundation
import JSON
import TaskEngine
import TaskStore
import Testing

@testable import TaskwireServer

/// Every method's declared facts against the schema's `x-` fields, docs/security.md and each other.
struct MethodDeclarationTests {
    let table: MethodTable
    let schemaMethods: [String: JSONValue]

    init() throws {
        table = try MethodTable.product(
            info: ServerInfo(transports: [], dataDirectory: nil, durability: "none"),
            engine: try Engine.open(store: MemoryStore()))
        var byName: [String: JSONValue] = [:]
        let document = try JSONParser.parse(OpenRPCDocument.bytes)
        let methods = try #require(document["methods"]?.arrayValue) + (document["x-mcp-methods"]?.arrayValue ?? [])
        for method in methods {
            byName[try #require(method["name"]?.stringValue)] = method
        }
        schemaMethods = byName
    }

    /// The text of a file of the repository.
    static func repositoryFile(_ path: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// The words in backticks of `text`, in order.
    static func quoted(_ text: some StringProtocol) -> [String] {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    @Test func everyDeclaredFactAgreesWithTheSchema() throws {
        #expect(Set(schemaMethods.keys) == Set(table.methodNames))
        for method in table.all {
            let schema = try #require(schemaMethods[method.name], "\(method.name)")
            #expect(schema["x-rate-limit"] == method.rateLimit.map(JSONValue.string) ?? .null, "\(method.name)")
            #expect(schema["x-open-before-login"] == .bool(method.opensBeforeLogin), "\(method.name)")
            #expect(schema["x-runs-long"] == .bool(method.runsLong), "\(method.name)")
            #expect(schema["x-read-only"] == .bool(method.readOnly), "\(method.name)")
            #expect(schema["x-destructive"] == .bool(method.destructive), "\(method.name)")
            #expect(schema["x-idempotent"] == .bool(method.idempotent), "\(method.name)")
        }
    }

    @Test func readOnlyMethodsAreNeverRateLimitedAsWrites() {
        let reads: Set<String?> = ["read", "list", nil]
        for method in table.all {
            if let operation = method.rateLimit {
                #expect(RateLimitPolicy.defaults[operation] != nil, "\(method.name) counts against \(operation)")
            }
            if method.readOnly {
                #expect(reads.contains(method.rateLimit), "\(method.name) only reads")
                #expect(!method.destructive, "\(method.name) only reads")
                // Every events.subscribe adds a subscription to the connection: the one read that is not
                // idempotent (see MethodDeclaration).
                #expect(method.idempotent || method.name == "events.subscribe", "\(method.name) only reads")
            } else {
                #expect(method.rateLimit != "read" && method.rateLimit != "list", "\(method.name) writes")
            }
        }
    }

    @Test func theOpenMethodsAreExactlyTheOnesTheSecurityPageDocuments() throws {
        let text = try Self.repositoryFile("docs/security.md").split(whereSeparator: \.isWhitespace)
            .joined(separator: " ")
        let start = try #require(text.range(of: "they may call only the methods open before login:"))
        let end = try #require(text.range(of: "(and send", range: start.upperBound..<text.endIndex))
        let documented = Self.quoted(text[start.upperBound..<end.lowerBound])
        #expect(documented.count == 10)
        #expect(Set(documented) == Set(table.all.filter(\.opensBeforeLogin).map(\.name)))
    }

    @Test func theSecurityPagesRateLimitTableAgreesWithTheDeclarations() throws {
        let text = try Self.repositoryFile("docs/security.md")
        let section = try #require(text.components(separatedBy: "\n## Rate limits\n").dropFirst().first)
            .components(separatedBy: "\n## ")[0]
        var documented: [String: String] = [:]
        for line in section.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let operation = try #require(Self.quoted(cells[0]).first)
            #expect(RateLimitPolicy.defaults[operation] != nil, "\(operation)")
            for method in Self.quoted(cells[2]) { documented[method] = operation }
        }
        #expect(Set(documented.values) == Set(RateLimitPolicy.defaults.keys))
        for method in table.all {
            #expect(documented[method.name] == method.rateLimit, "\(method.name)")
        }
    }

    @Test func aNameDeclaredTwiceIsRefused() {
        let ping = MethodDeclaration.test("ping") { _, _ in Reply(.null) }
        #expect(throws: MethodTableError.self) { try MethodTable([ping, .test("sum") { _, _ in Reply(.null) }, ping]) }
    }
}
