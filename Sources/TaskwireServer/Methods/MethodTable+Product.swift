package import TaskEngine

extension MethodTable {
    /// The table the shipped server answers with: the built-in methods and every product method on `engine`.
    ///
    /// The OpenRPC test builds the same table, so the schema and the server cannot drift apart.
    package static func product(info: ServerInfo, engine: Engine) throws(MethodTableError) -> MethodTable {
        var table = MethodTable()
        try table.registerBuiltins(info: info)
        table.registerTasks(engine: engine)
        table.registerIdentity(engine: engine)
        table.registerCollaboration(engine: engine)
        return table
    }
}
