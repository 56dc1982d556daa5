package import JSON
import JSONRPC
import Locking

/// Lets a method call other methods of the same server as its own caller: MCP's `tools/call` and BASIC's
/// task keywords do.
///
/// An inner call goes through the server's ``Dispatcher``, so every rule applies to it as if the caller had
/// sent it: identity, permissions, rate limits and `on_behalf_of`. The method table is built before the
/// dispatcher exists, so the declarations capture an invoker and the ``Server`` binds it to its dispatcher
/// once; an invoker that was never bound (a table built for the OpenRPC test) answers every call -32603.
package final class MethodInvoker: Sendable {
    private let dispatcher = Mutex<Dispatcher?>(nil)

    package init() {}

    /// Routes later calls to `dispatcher`; the server calls this once, before it serves anything.
    package func bind(_ dispatcher: Dispatcher) {
        self.dispatcher.withLock { $0 = dispatcher }
    }

    /// Calls `method` with `params` in `context` (the outer call's context) and returns what it produced.
    package func call(_ method: String, params: JSONValue?, context: RequestContext) async -> Dispatcher.Outcome {
        guard let dispatcher = dispatcher.withLock({ $0 }) else { return .failure(.internalError) }
        return await dispatcher.call(method, params: params, context: context)
    }
}
