import JSON
import JSONRPC
import TaskStore

@testable import TaskwireServer

extension MethodTable {
    /// Calls a method's handler as the dispatcher would, waits for its commit ticket, and returns the result
    /// or the wire error, so handler tests read like a client's view of the method.
    func call(_ method: String, _ params: JSONValue?, context: RequestContext) async -> Result<JSONValue, ResponseError>
    {
        guard let handler = declaration(for: method)?.handler else { return .failure(.methodNotFound(method)) }
        do {
            let reply = try await handler(params, context)
            try await reply.ticket?.wait()
            return .success(reply.result)
        } catch let error as any ResponseErrorConvertible {
            return .failure(error.responseError)
        } catch {
            return .failure(.internalError)
        }
    }
}
