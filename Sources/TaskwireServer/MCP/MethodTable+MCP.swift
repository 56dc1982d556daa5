extension MethodTable {
    /// This table plus the MCP methods, whose tools are this table's methods (see ``ToolCatalog``).
    func addingMCP(invoker: MethodInvoker, sessions: MCPSessions) throws(MethodTableError) -> MethodTable {
        try MethodTable(all + MCPMethods.declarations(tools: all, invoker: invoker, sessions: sessions))
    }
}
