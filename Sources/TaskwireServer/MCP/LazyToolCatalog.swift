import Dispatch
import JSONRPC
import Locking

/// The tool catalog, built off the start path: generating it from the OpenRPC document (a JSON parse and a
/// walk over every method's schemas) took about a tenth of a cold start. ``warm()`` builds it on a
/// background thread once the method table exists; a `tools/*` call that comes first builds it itself.
/// Either way it is built once. A document that cannot be turned into tools (the tests rule that out for the
/// embedded one) makes the MCP calls that need the catalog -32603, and nothing else.
final class LazyToolCatalog: Sendable {
    private let built = Mutex<Result<ToolCatalog, MethodTableError>?>(nil)
    private let make: @Sendable () -> Result<ToolCatalog, MethodTableError>

    init(_ make: @escaping @Sendable () throws(MethodTableError) -> ToolCatalog) {
        self.make = { () -> Result<ToolCatalog, MethodTableError> in Result(catching: make) }
    }

    /// Builds the catalog on a background thread unless a call already did.
    func warm() {
        DispatchQueue.global(qos: .utility).async { [self] in _ = result() }
    }

    /// The catalog, built now when nothing built it yet.
    func catalog() throws(ResponseError) -> ToolCatalog {
        switch result() {
        case .success(let catalog): return catalog
        case .failure: throw .internalError
        }
    }

    /// The catalog, or why it cannot be built.
    func result() -> Result<ToolCatalog, MethodTableError> {
        built.withLock { built in
            if let built { return built }
            let made = make()
            built = made
            return made
        }
    }
}
