import JSON
import JSONRPC
import TaskEngine
import TaskStore
import TaskwireLog
import Testing

@testable import TaskwireServer

/// A suite that calls methods through a ``Dispatcher`` behind a real ``AuthGate``, as a connection's session
/// does: the reply of a write only once its ticket says it is durable.
protocol GatedDispatcherSuite {
    var dispatcher: Dispatcher { get }
}

extension GatedDispatcherSuite {
    /// Calls a method as a connection and waits for durability.
    func call(
        _ method: String, _ params: JSONValue? = nil, on context: RequestContext
    ) async -> Result<JSONValue, ResponseError> {
        switch await dispatcher.call(method, params: params, context: context) {
        case .success(let result, let ticket):
            do { try await ticket?.wait() } catch { return .failure(Dispatcher.storeFailed) }
            return .success(result)
        case .failure(let error):
            return .failure(error)
        }
    }

    /// The result of a call that must succeed.
    func result(_ method: String, _ params: JSONValue? = nil, on context: RequestContext) async throws -> JSONValue {
        try await call(method, params, on: context).get()
    }

    /// The error of a call that must fail, or `nil` when it succeeded.
    func error(_ method: String, _ params: JSONValue? = nil, on context: RequestContext) async -> ResponseError? {
        if case .failure(let error) = await call(method, params, on: context) { return error }
        return nil
    }
}

extension Dispatcher {
    /// A dispatcher over `table` behind a gate with the standard rate limits changed by `limits`
    /// (`"create=2/hour"`), on `clock`; a quiet logger.
    static func gated(
        _ table: MethodTable, engine: Engine, clock: ManualTimeSource, limits: [String] = []
    ) -> Dispatcher {
        var policy = RateLimitPolicy.standard
        for limit in limits { #expect(policy.apply(limit) == nil) }
        return Dispatcher(
            methods: table, logger: Logger(label: "test", level: .error) { _ in },
            gate: AuthGate(engine: engine, rateLimits: policy, clock: clock))
    }
}
