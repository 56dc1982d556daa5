package import JSON
package import JSONRPC
package import TaskEngine

/// Decides, before any handler runs, who a call acts as and whether it may run at all.
///
/// In order: strips `on_behalf_of` from the params; requires a logged-in connection except for the methods
/// declared ``MethodDeclaration/opensBeforeLogin``; re-checks the connection's user and token against the engine (so an expired or revoked token
/// stops working at once, also on connections already logged in); applies `on_behalf_of` (agents only,
/// for members only); then counts the call against the effective user's rate limit. A refused call has
/// changed nothing.
package struct AuthGate: Sendable {
    private let engine: Engine
    /// The rate limits, nil when they are off.
    package let limiter: RateLimiter?
    private let clock: any TimeSource

    /// A gate over `engine`'s users and tokens, limiting calls by `rateLimits` on `clock`.
    package init(engine: Engine, rateLimits: RateLimitPolicy, clock: any TimeSource = SystemTimeSource()) {
        self.engine = engine
        self.limiter = rateLimits.isOff ? nil : RateLimiter(limits: rateLimits.limits)
        self.clock = clock
    }

    /// The gate's clock in seconds, as the rate limits count.
    package var now: Double { Double(clock.now().microseconds) / 1_000_000 }

    /// The params the handler of `method` sees and the context it runs with, or the error to answer instead.
    package func admit(
        _ method: MethodDeclaration, params: JSONValue?, context: RequestContext
    ) async -> Result<(JSONValue?, RequestContext), ResponseError> {
        var params = params
        var context = context
        var onBehalfOf: JSONValue?
        if case .object(var object)? = params, let value = object["on_behalf_of"] {
            object["on_behalf_of"] = nil
            params = .object(object)
            onBehalfOf = value
        }
        let open = method.opensBeforeLogin && onBehalfOf == nil
        if let identity = context.identity {
            context.user = UserID("")
            context.role = .member
            context.tokenID = nil
            context.authenticatedVia = nil
            guard let binding = identity.binding else {
                return open ? .success((params, context)) : .failure(Self.loginFirst)
            }
            if binding.user == User.systemID, binding.tokenID == nil {
                // `system` always exists and is always an admin: the default stdio caller skips the lookup.
                context.user = User.systemID
                context.role = .admin
            } else {
                let user: User
                do {
                    user = try await engine.principal(userID: binding.user, tokenID: binding.tokenID)
                } catch {
                    identity.reset(from: binding)
                    return open ? .success((params, context)) : .failure(error.responseError)
                }
                context.user = user.userID
                context.role = user.role
            }
            context.tokenID = binding.tokenID
            context.authenticatedVia = binding.via
        }
        if let onBehalfOf {
            switch await actingFor(onBehalfOf, context: context) {
            case .success(let user):
                context.agent = context.user
                context.user = user.userID
                context.role = user.role
            case .failure(let error):
                return .failure(error)
            }
        }
        if let limiter, context.user != User.systemID, let operation = method.rateLimit {
            if case .refused(let seconds) = limiter.admit(user: context.user, operation: operation, now: now) {
                return .failure(Self.rateLimited(operation: operation, retryAfter: seconds))
            }
        }
        return .success((params, context))
    }

    private func actingFor(_ value: JSONValue, context: RequestContext) async -> Result<User, ResponseError> {
        guard let target = value.stringValue else {
            return .failure(.invalidParams("Field on_behalf_of must be a user id string.", field: "on_behalf_of"))
        }
        guard context.role == .agent, context.agent == nil else {
            return .failure(
                EngineError.permissionDenied("Only an agent may act on behalf of a user").responseError)
        }
        let user: User
        do {
            user = try await engine.user(UserID(target))
        } catch {
            return .failure(error.responseError)
        }
        guard user.role == .member else {
            return .failure(
                EngineError.permissionDenied("An agent may act on behalf of members only").responseError)
        }
        return .success(user)
    }

    /// The 401 for a call before `auth.login`.
    package static let loginFirst = ResponseError(
        code: .unauthorized, message: "Log in with auth.login first.", error: "unauthorized")

    /// The 429 for a call over its limit.
    package static func rateLimited(operation: String?, retryAfter seconds: Int) -> ResponseError {
        var details: JSONObject = ["retry_after_seconds": .int(seconds)]
        details.append("operation", ifPresent: operation.map(JSONValue.string))
        return ResponseError(
            code: .rateLimited, message: "Too many requests; retry in \(seconds) second\(seconds == 1 ? "" : "s").",
            error: "rate_limited",
            details: details)
    }
}
