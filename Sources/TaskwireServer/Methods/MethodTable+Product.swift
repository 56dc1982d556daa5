package import TaskEngine

extension MethodTable {
    /// The table the shipped server answers with: the built-in methods and every product method on `engine`.
    ///
    /// The OpenRPC test builds the same table, so the schema and the server cannot drift apart.
    package static func product(info: ServerInfo, engine: Engine) throws(MethodTableError) -> MethodTable {
        try MethodTable(
            BuiltinMethods.declarations(info: info)
                + TaskMethods.declarations(engine: engine)
                + IdentityMethods.declarations(engine: engine)
                + CollaborationMethods.declarations(engine: engine)
                + WorkflowMethods.declarations(engine: engine)
                + TemplateMethods.declarations(engine: engine)
                + AutomationMethods.declarations(engine: engine)
        )
    }
}
