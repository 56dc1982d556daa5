package import JSON

/// One MCP tool: a taskwire method offered to a model under an MCP-safe name, with its definition.
package struct MCPTool: Sendable {
    /// The tool's name: the method's name with dots as underscores (`tasks_create`).
    package let name: String
    /// The JSON-RPC method the tool calls (`tasks.create`).
    package let method: String
    /// Whether the method runs long, so a call with a `progressToken` reports progress.
    package let runsLong: Bool
    /// Whether the method's result is not an object and travels as `{"result": ...}` in `structuredContent`
    /// (MCP wants an object there).
    package let wrapsResult: Bool
    /// The `Tool` object `tools/list` returns: name, title, description, schemas, annotations.
    package let definition: JSONValue

    /// The structured content of a successful call: the result, wrapped when it is not an object.
    func structuredContent(_ result: JSONValue) -> JSONValue {
        wrapsResult ? ["result": result] : result
    }
}
