package import JSON
package import JSONRPC

/// Every MCP tool the server offers, generated once from the OpenRPC document and the method declarations
/// (off the start path: ``LazyToolCatalog``), in name order.
///
/// Each method of the document's `methods` that has a declaration becomes a tool, except the
/// ``excludedMethods``; a method added to the schema and the table becomes a tool with no change here. Its
/// `inputSchema` is an object schema of the method's params and its `outputSchema` the method's result
/// schema (wrapped in `{"result": ...}` when the result is not an object); every `$ref` to
/// `#/components/schemas/...` is rewritten to a `$defs` entry carried inside the tool's schema, so a host
/// validates each schema on its own. The annotations come from the declaration: `readOnlyHint`,
/// `destructiveHint`, `idempotentHint`, and `openWorldHint: false` (a tool reaches only the task store).
package struct ToolCatalog: Sendable {
    /// Methods that are not tools: protocol plumbing (`rpc.discover`, `ping`), the login that binds a
    /// connection (a host configures credentials instead of handing secrets to a model), and the push
    /// subscriptions, which need a connection that reads server-pushed notifications (`events_since` reads
    /// the same feed by polling).
    package static let excludedMethods: Set<String> = [
        "rpc.discover", "ping", "auth.login", "events.subscribe", "events.unsubscribe",
    ]

    /// Every tool, sorted by name.
    package let tools: [MCPTool]
    private let indexByName: [String: Int]

    /// The catalog of `document` (the OpenRPC document) restricted to the declared methods.
    package init(document: JSONValue, declarations: [MethodDeclaration]) throws(MethodTableError) {
        let declared = Dictionary(declarations.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let components = document["components"]?["schemas"]?.objectValue ?? [:]
        var tools: [MCPTool] = []
        for method in document["methods"]?.arrayValue ?? [] {
            guard let name = method["name"]?.stringValue, !Self.excludedMethods.contains(name),
                let declaration = declared[name]
            else { continue }
            tools.append(try Self.tool(method, declaration: declaration, components: components))
        }
        tools.sort { $0.name < $1.name }
        var index: [String: Int] = [:]
        for (position, tool) in tools.enumerated() {
            guard index.updateValue(position, forKey: tool.name) == nil else {
                throw MethodTableError(message: "Two methods map to the MCP tool name \(tool.name).")
            }
        }
        self.tools = tools
        self.indexByName = index
    }

    /// The tool of a name, or `nil`.
    package func tool(named name: String) -> MCPTool? { indexByName[name].map { tools[$0] } }

    /// The tool name of a method name: dots become underscores (many hosts refuse dots in tool names).
    package static func toolName(of method: String) -> String {
        String(method.map { $0 == "." ? "_" : $0 })
    }

    /// Up to `limit` tools after the one `cursor` names (from the start without one), and the cursor of the
    /// next page when more follow. A cursor this catalog did not issue is -32602.
    package func page(
        after cursor: String?, limit: Int
    ) throws(ResponseError) -> (
        tools: ArraySlice<MCPTool>, next: String?
    ) {
        var start = 0
        if let cursor {
            guard let name = Self.decodeCursor(cursor), let position = indexByName[name] else {
                throw .invalidParams(
                    "Invalid cursor: pass the nextCursor of an earlier tools/list, or none to start.",
                    field: "cursor", error: "invalid_cursor")
            }
            start = position + 1
        }
        let end = min(tools.count, start + max(1, limit))
        let page = tools[start..<end]
        let next = end < tools.count ? page.last.map { Self.encodeCursor(after: $0.name) } : nil
        return (page, next)
    }

    // MARK: - Cursors

    /// A cursor is the name of the last tool of the page, hex-encoded behind a version tag; clients treat it
    /// as opaque.
    static func encodeCursor(after name: String) -> String {
        let digits = Array("0123456789abcdef")
        var text = "t1."
        for byte in name.utf8 {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }

    static func decodeCursor(_ cursor: String) -> String? {
        guard cursor.hasPrefix("t1.") else { return nil }
        let hex = Array(cursor.utf8.dropFirst(3))
        guard !hex.isEmpty, hex.count % 2 == 0 else { return nil }
        func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: hex.count, by: 2) {
            guard let high = nibble(hex[index]), let low = nibble(hex[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    // MARK: - Generation

    private static func tool(
        _ method: JSONValue, declaration: MethodDeclaration, components: JSONObject
    ) throws(MethodTableError) -> MCPTool {
        let name = toolName(of: declaration.name)
        guard (1...64).contains(name.utf8.count),
            name.utf8.allSatisfy({ byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
                    || byte == UInt8(ascii: "-")
            })
        else { throw MethodTableError(message: "The method \(declaration.name) has no valid MCP tool name.") }
        // Each schema carries only the definitions it refers to: hosts often hand the schemas to the model.
        var inputDefinitions = SchemaBundle(components: components)
        var outputDefinitions = SchemaBundle(components: components)

        var properties = JSONObject()
        var required: [JSONValue] = []
        for param in method["params"]?.arrayValue ?? [] {
            guard let paramName = param["name"]?.stringValue else { continue }
            var schema = try inputDefinitions.adopt(param["schema"] ?? [:], in: declaration.name)
            if case .object(var object) = schema, object["description"] == nil,
                let description = param["description"]?.stringValue
            {
                object["description"] = .string(description)
                schema = .object(object)
            }
            properties[paramName] = schema
            if param["required"]?.boolValue == true { required.append(.string(paramName)) }
        }
        var input: JSONObject = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { input["required"] = .array(required) }
        input["additionalProperties"] = false

        let resultSchema = method["result"]?["schema"] ?? [:]
        let wraps = !outputDefinitions.isObjectSchema(resultSchema)
        let adopted = try outputDefinitions.adopt(resultSchema, in: declaration.name)
        var output: JSONObject
        if wraps {
            output = [
                "type": "object", "properties": ["result": adopted], "required": ["result"],
                "additionalProperties": false,
            ]
        } else {
            output = adopted.objectValue ?? [:]
            output["type"] = "object"
        }
        if !inputDefinitions.definitions.isEmpty { input["$defs"] = .object(inputDefinitions.definitions) }
        if !outputDefinitions.definitions.isEmpty { output["$defs"] = .object(outputDefinitions.definitions) }

        let summary = method["summary"]?.stringValue ?? declaration.name
        var description = summary
        if let detail = method["description"]?.stringValue, !detail.isEmpty { description += "\n\n" + detail }
        if wraps { description += "\n\nThe structured result is {\"result\": <the method's result>}." }
        let title = summary.hasSuffix(".") ? String(summary.dropLast()) : summary
        let definition: JSONValue = [
            "name": .string(name),
            "title": .string(title),
            "description": .string(description),
            "inputSchema": .object(input),
            "outputSchema": .object(output),
            "annotations": [
                "title": .string(title),
                "readOnlyHint": .bool(declaration.readOnly),
                "destructiveHint": .bool(declaration.destructive),
                "idempotentHint": .bool(declaration.idempotent),
                "openWorldHint": false,
            ],
        ]
        return MCPTool(
            name: name, method: declaration.name, runsLong: declaration.runsLong, wrapsResult: wraps,
            definition: definition)
    }
}

/// The `$defs` of one tool: the document's component schemas that the tool's schemas refer to, directly
/// or through each other, with every reference rewritten to point inside the tool's schema.
private struct SchemaBundle {
    static let componentPrefix = "#/components/schemas/"
    let components: JSONObject
    private(set) var definitions = JSONObject()
    private var adopted: Set<String> = []

    init(components: JSONObject) { self.components = components }

    /// `schema` with its references rewritten; every component it reaches joins ``definitions``.
    mutating func adopt(_ schema: JSONValue, in method: String) throws(MethodTableError) -> JSONValue {
        var pending: [String] = []
        let rewritten = try Self.rewrite(schema, found: &pending, in: method)
        while let name = pending.popLast() {
            guard !adopted.contains(name) else { continue }
            guard let component = components[name] else {
                throw MethodTableError(message: "The schema of \(method) refers to a missing component \(name).")
            }
            adopted.insert(name)
            definitions[name] = try Self.rewrite(component, found: &pending, in: method)
        }
        definitions = JSONObject(definitions.members.sorted { $0.key < $1.key })
        return rewritten
    }

    /// Whether `schema` (following references) describes an object.
    func isObjectSchema(_ schema: JSONValue, depth: Int = 0) -> Bool {
        guard depth < 16 else { return false }
        if schema["type"] == "object" { return true }
        // Every member of allOf applies, so one object member makes an object; anyOf and oneOf need all.
        if let members = schema["allOf"]?.arrayValue, members.contains(where: { isObjectSchema($0, depth: depth + 1) })
        {
            return true
        }
        for key in ["anyOf", "oneOf"] {
            if let members = schema[key]?.arrayValue, !members.isEmpty,
                members.allSatisfy({ isObjectSchema($0, depth: depth + 1) })
            {
                return true
            }
        }
        if let ref = schema["$ref"]?.stringValue, ref.hasPrefix(Self.componentPrefix),
            let component = components[String(ref.dropFirst(Self.componentPrefix.count))]
        {
            return isObjectSchema(component, depth: depth + 1)
        }
        return false
    }

    private static func rewrite(
        _ value: JSONValue, found: inout [String], in method: String
    ) throws(MethodTableError) -> JSONValue {
        switch value {
        case .array(let items):
            var rewritten: [JSONValue] = []
            rewritten.reserveCapacity(items.count)
            for item in items { rewritten.append(try rewrite(item, found: &found, in: method)) }
            return .array(rewritten)
        case .object(let object):
            var rewritten = JSONObject()
            for (key, member) in object.members {
                if key == "$ref", let ref = member.stringValue {
                    guard ref.hasPrefix(componentPrefix) else {
                        throw MethodTableError(
                            message: "The schema of \(method) has a reference \(ref) off the document.")
                    }
                    let name = String(ref.dropFirst(componentPrefix.count))
                    found.append(name)
                    rewritten.append(key, .string("#/$defs/" + name))
                } else {
                    rewritten.append(key, try rewrite(member, found: &found, in: method))
                }
            }
            return .object(rewritten)
        default:
            return value
        }
    }
}
