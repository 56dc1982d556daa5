import JSON

/// Why the method table could not be built.
package struct MethodTableError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    package var message: String

    package var description: String { message }
}

extension MethodTable {
    /// The names of the built-in methods.
    package static let builtinNames = ["ping", "rpc.discover", "server.info"]

    /// Registers `ping`, `rpc.discover` and `server.info`.
    ///
    /// This is the one place where the shipped table is composed; other groups of methods are added beside
    /// it (`registerTasks(engine:)` and so on). Parses the embedded OpenRPC document once, here.
    package mutating func registerBuiltins(info: ServerInfo) throws(MethodTableError) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(OpenRPCDocument.bytes)
        } catch {
            throw MethodTableError(message: "The embedded OpenRPC document is not valid JSON: \(error).")
        }
        register("ping") { params, context in try Builtins.ping(params, context) }
        register("rpc.discover", Builtins.discover(document: document))
        register("server.info", Builtins.serverInfo(info))
    }
}
