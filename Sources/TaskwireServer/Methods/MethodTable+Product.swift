package import TaskEngine

extension MethodTable {
    /// The table the shipped server answers with: the built-in methods and every product method on `engine`.
    ///
    /// The OpenRPC test builds the same table, so the schema and the server cannot drift apart.
    /// `events` is the hub that serves event subscriptions; without one, a hub with the default limits.
    /// `invoker` is how methods that call other methods (MCP's `tools/call`, `basic.run`) reach them; the
    /// ``Server`` binds it to its dispatcher. `mcp` remembers the connections that opened an MCP session; the
    /// launcher forgets a connection there when it closes.
    package static func product(
        info: ServerInfo, engine: Engine, events: EventHub? = nil, invoker: MethodInvoker = MethodInvoker(),
        mcp: MCPSessions = MCPSessions()
    ) throws(MethodTableError) -> MethodTable {
        let table = try MethodTable(
            BuiltinMethods.declarations(info: info)
                + TaskMethods.declarations(engine: engine)
                + IdentityMethods.declarations(engine: engine)
                + CollaborationMethods.declarations(engine: engine)
                + WorkflowMethods.declarations(engine: engine)
                + TemplateMethods.declarations(engine: engine)
                + AutomationMethods.declarations(engine: engine)
                + NotificationMethods.declarations(engine: engine)
                + EventsMethods.declarations(hub: events ?? EventHub(engine: engine))
                + BasicMethods.declarations(invoker: invoker)
        )
        // Every method above is offered as an MCP tool (docs/mcp.md), except the few ToolCatalog excludes.
        return try table.addingMCP(invoker: invoker, sessions: mcp)
    }
}
