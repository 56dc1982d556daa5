package import JSON
package import JSONRPC
package import TaskStore
package import TaskwireLog

/// Runs one call against the method table and turns whatever the handler did into a JSON-RPC outcome.
///
/// It holds no per-connection state (that is ``Session``'s job): it finds the handler, runs it, and maps
/// errors. An error that is ``ResponseErrorConvertible`` chooses its own wire form; `CancellationError`
/// becomes -32800; anything else becomes -32603 with a generic message, and its detail goes to the log.
package struct Dispatcher: Sendable {
    /// What a call produced.
    package enum Outcome: Sendable {
        /// The handler's result, and the ticket to wait for before replying when the call wrote something.
        case success(JSONValue, CommitTicket?)
        /// The error to reply with.
        case failure(ResponseError)
    }

    /// The methods this dispatcher answers.
    package let methods: MethodTable
    /// The largest batch accepted.
    package let maxBatchMembers: Int
    /// The largest batch reply built: past it the batch is answered with one 413 instead, so a small batch
    /// of large answers (`rpc.discover` ten thousand times) cannot make the server build gigabytes.
    package let maxBatchReplyBytes: Int
    /// Identity and rate limits, checked before every handler; `nil` lets every call through as its context.
    package let gate: AuthGate?
    /// On a read node, where its writes go instead of the handler (and the gate, which the writer applies).
    package let forwarding: WriteForwarding?
    let logger: Logger

    /// A dispatcher over a finished method table.
    package init(
        methods: MethodTable, logger: Logger, maxBatchMembers: Int = IncomingBody.defaultMaxBatchMembers,
        maxBatchReplyBytes: Int = 64 << 20, gate: AuthGate? = nil, forwarding: WriteForwarding? = nil
    ) {
        self.methods = methods
        self.logger = logger
        self.maxBatchMembers = max(1, maxBatchMembers)
        self.maxBatchReplyBytes = max(1, maxBatchReplyBytes)
        self.gate = gate
        self.forwarding = forwarding
    }

    /// Runs the handler for `method`; unknown methods and every `$/` method are -32601.
    package func call(_ method: String, params: JSONValue?, context: RequestContext) async -> Outcome {
        guard !method.hasPrefix("$/"), let declaration = methods.declaration(for: method) else {
            return .failure(.methodNotFound(method))
        }
        if let forwarding, forwarding.forwards(declaration) {
            return await forwarding.forward(declaration, params: params, context: context)
        }
        var params = params
        var context = context
        if let gate {
            switch await gate.admit(declaration, params: params, context: context) {
            case .success(let admitted): (params, context) = admitted
            case .failure(let error): return .failure(error)
            }
        }
        do {
            let reply = try await declaration.handler(params, context)
            return .success(reply.result, reply.ticket)
        } catch let error as any ResponseErrorConvertible {
            return .failure(error.responseError)
        } catch is CancellationError {
            return .failure(.requestCancelled)
        } catch {
            logger.error(
                "method failed with an unexpected error",
                ["method": method, "conn": String(context.connectionID), "error": String(describing: error)]
            )
            return .failure(.internalError)
        }
    }

    /// The reply sent when a write's ticket reports that the store failed before the write was durable.
    ///
    /// The record may or may not have reached the disk before the failure (`data.in_doubt`): the change is
    /// found after a restart or not at all, never half-applied. A create retried with the same
    /// `idempotency_key` after the restart settles which.
    package static let storeFailed = ResponseError(
        code: .unavailable,
        message: "The store failed before the change was confirmed durable; the server is stopping.",
        error: "unavailable",
        details: ["in_doubt": true]
    )

    /// The reply to a batch whose answers together exceed ``maxBatchReplyBytes``.
    package func batchReplyTooLarge() -> ResponseError {
        ResponseError(
            code: .tooLarge,
            message: "The batch's replies exceed \(maxBatchReplyBytes) bytes; send fewer requests per batch.",
            error: "too_large",
            details: ["max_bytes": .int(maxBatchReplyBytes)]
        )
    }

    /// The reply to requests that arrive after shutdown began.
    package static let shuttingDown = ResponseError(
        code: .unavailable,
        message: "The server is shutting down.",
        error: "unavailable"
    )
}
