import JSON
import JSONRPC
import Locking
import TaskEngine
import TaskStore
import Testing

@testable import TaskwireServer

/// The generated tools against the schema and the method declarations.
struct MCPToolCatalogTests {
    let table: MethodTable
    let document: JSONValue
    let catalog: ToolCatalog

    init() throws {
        table = try MethodTable.product(
            info: ServerInfo(transports: [], dataDirectory: nil, durability: "none"),
            engine: try Engine.open(store: MemoryStore()))
        document = try JSONParser.parse(OpenRPCDocument.bytes)
        catalog = try ToolCatalog(document: document, declarations: table.all)
    }

    /// The server builds its catalog off the start path: once, whether the warm-up or a call asks first.
    @Test func theLazyCatalogIsBuiltOnceWhoeverAsksFirst() async throws {
        let builds = UnreadBytes()
        let document = self.document
        let declarations = table.all
        let lazy = LazyToolCatalog { () throws(MethodTableError) -> ToolCatalog in
            builds.value.withLock { $0 += 1 }
            return try ToolCatalog(document: document, declarations: declarations)
        }
        lazy.warm()
        let counts = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { (try? lazy.catalog().tools.count) ?? -1 } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts == Array(repeating: catalog.tools.count, count: 8))
        #expect(builds.value.withLock { $0 } == 1)
        #expect(try lazy.catalog().tool(named: "tasks_create")?.method == "tasks.create")
        // A document that cannot be turned into tools fails the MCP calls, not the start.
        let broken = LazyToolCatalog { () throws(MethodTableError) -> ToolCatalog in
            throw MethodTableError(message: "no tools")
        }
        broken.warm()
        #expect(throws: ResponseError.internalError) { try broken.catalog() }
    }

    @Test func everySchemaMethodButTheExcludedOnesIsATool() throws {
        let methods = try #require(document["methods"]?.arrayValue).compactMap { $0["name"]?.stringValue }
        let expected = methods.filter { !ToolCatalog.excludedMethods.contains($0) }
        #expect(Set(catalog.tools.map(\.method)) == Set(expected))
        #expect(catalog.tools.count == expected.count)
        // The excluded methods all exist, so the list cannot silently name something gone.
        #expect(ToolCatalog.excludedMethods.isSubset(of: Set(methods)))
        // MCP's own methods are never tools.
        #expect(catalog.tools.allSatisfy { !$0.method.contains("/") && $0.method != "initialize" })
        #expect(catalog.tool(named: "tasks_create")?.method == "tasks.create")
        #expect(catalog.tool(named: "workflows_status")?.method == "workflows.status")
        #expect(catalog.tool(named: "tasks_comments_add")?.method == "tasks.comments.add")
    }

    @Test func toolsComeInNameOrderWithHostSafeNames() {
        let names = catalog.tools.map(\.name)
        #expect(names == names.sorted())
        for name in names {
            #expect(name.utf8.count <= 64)
            #expect(name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }, "\(name)")
        }
    }

    @Test func annotationsAreTheDeclaredFacts() throws {
        for tool in catalog.tools {
            let declaration = try #require(table.declaration(for: tool.method))
            let annotations = try #require(tool.definition["annotations"])
            #expect(annotations["readOnlyHint"] == .bool(declaration.readOnly), "\(tool.name)")
            #expect(annotations["destructiveHint"] == .bool(declaration.destructive), "\(tool.name)")
            #expect(annotations["idempotentHint"] == .bool(declaration.idempotent), "\(tool.name)")
            #expect(annotations["openWorldHint"] == false)
            #expect(tool.runsLong == declaration.runsLong)
        }
        #expect(catalog.tool(named: "tasks_delete")?.definition["annotations"]?["destructiveHint"] == true)
        #expect(catalog.tool(named: "tasks_get")?.definition["annotations"]?["readOnlyHint"] == true)
    }

    @Test func schemasAreSelfContainedObjectSchemas() throws {
        for tool in catalog.tools {
            let input = try #require(tool.definition["inputSchema"])
            let output = try #require(tool.definition["outputSchema"])
            #expect(input["type"] == "object" && input["additionalProperties"] == false, "\(tool.name)")
            #expect(output["type"] == "object", "\(tool.name)")
            for schema in [input, output] {
                let defs = schema["$defs"]?.objectValue ?? [:]
                for ref in Self.references(in: schema) {
                    #expect(ref.hasPrefix("#/$defs/"), "\(tool.name): \(ref)")
                    #expect(defs[String(ref.dropFirst("#/$defs/".count))] != nil, "\(tool.name): \(ref)")
                }
            }
        }
        let create = try #require(catalog.tool(named: "tasks_create")?.definition["inputSchema"])
        #expect(create["required"] == ["title"])
        #expect(create["properties"]?["on_behalf_of"] != nil)
    }

    @Test func paramsAndResultsFollowTheSchema() throws {
        let methods = try #require(document["methods"]?.arrayValue)
        for tool in catalog.tools {
            let method = try #require(methods.first { $0["name"]?.stringValue == tool.method })
            let params = method["params"]?.arrayValue ?? []
            let properties = tool.definition["inputSchema"]?["properties"]?.objectValue?.keys ?? []
            #expect(properties == params.compactMap { $0["name"]?.stringValue }, "\(tool.name)")
            #expect(
                tool.definition["description"]?.stringValue?.hasPrefix(method["summary"]?.stringValue ?? "?") == true)
        }
        // server.info answers an object; a method with a string result is wrapped.
        #expect(catalog.tool(named: "server_info")?.wrapsResult == false)
        let wrapped = try ToolCatalog(
            document: MCPMethodsTests.document(["x.y"]),
            declarations: [.test("x.y") { _, _ in Reply("s") }])
        #expect(wrapped.tool(named: "x_y")?.wrapsResult == true)
        #expect(wrapped.tool(named: "x_y")?.definition["outputSchema"]?["required"] == ["result"])
    }

    @Test func aMethodAddedToTheSchemaAndTheTableBecomesAToolUntouched() throws {
        var methods = try #require(document["methods"]?.arrayValue)
        methods.append(
            [
                "name": "notes.pin", "summary": "Pin a note.",
                "params": [
                    ["name": "user_id", "required": true, "schema": ["$ref": "#/components/schemas/UserID"]]
                ], "result": ["name": "pinned", "schema": ["$ref": "#/components/schemas/Task"]],
            ])
        guard case .object(var object) = document else { return }
        object["methods"] = .array(methods)
        let extended = try ToolCatalog(
            document: .object(object), declarations: table.all + [.test("notes.pin") { _, _ in Reply(.null) }])
        let tool = try #require(extended.tool(named: "notes_pin"))
        #expect(tool.definition["inputSchema"]?["$defs"]?["UserID"] != nil)
        #expect(extended.tools.count == catalog.tools.count + 1)
    }

    @Test func twoMethodsWithOneToolNameAreRefused() {
        #expect(throws: MethodTableError.self) {
            try ToolCatalog(
                document: MCPMethodsTests.document(["a.b_c", "a_b.c"]),
                declarations: [.test("a.b_c") { _, _ in Reply(.null) }, .test("a_b.c") { _, _ in Reply(.null) }])
        }
    }

    static func references(in value: JSONValue) -> [String] {
        switch value {
        case .object(let object):
            object.members.flatMap { member in
                member.key == "$ref" ? [member.value.stringValue ?? "?"] : references(in: member.value)
            }
        case .array(let items): items.flatMap(references)
        default: []
        }
    }
}
