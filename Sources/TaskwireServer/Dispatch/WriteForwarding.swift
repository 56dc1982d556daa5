package import JSON
package import JSONRPC
package import TaskEngine
package import TaskStore

/// A read node's writes, handed to the writer through the database both serve, and the writer's end that
/// runs them (docs/postgres.md, "Several servers on one database").
///
/// On a read node, a call to a method that writes goes, before the ``AuthGate``, to the writer as the
/// connection's raw params and login (user, token, how it logged in). The writer runs it through its own
/// dispatcher, so every rule applies there, with the writer's current view of users and tokens and its rate
/// limits counting the writes of the whole fleet; the reply comes back once the read node has applied the
/// write, so the caller reads it here at once.
package struct WriteForwarding: Sendable {
    /// The store both ends share.
    package let store: any ForwardingStore

    package init(store: any ForwardingStore) {
        self.store = store
    }

    /// Methods that always run where they are called: a login binds this connection, and `tools/call` and
    /// `basic.run` call other methods, each of which is forwarded when it writes.
    static let local: Set<String> = ["auth.login", "tools/call", "basic.run"]

    /// Whether a call to `declaration` goes to the writer: it writes, and this node does not.
    func forwards(_ declaration: MethodDeclaration) -> Bool {
        !declaration.readOnly && !Self.local.contains(declaration.name) && store.isFollowing
    }

    // MARK: The read node's end

    /// Hands the call to the writer and returns its reply.
    func forward(
        _ declaration: MethodDeclaration, params: JSONValue?, context: RequestContext
    ) async -> Dispatcher.Outcome {
        let method = declaration.name
        var request: JSONObject = ["method": .string(method), "transport": .string(context.transport)]
        request.append("params", ifPresent: params)
        let binding: ConnectionIdentity.Binding? =
            if let identity = context.identity {
                identity.binding
            } else {
                ConnectionIdentity.Binding(
                    user: context.user, tokenID: context.tokenID, via: context.authenticatedVia ?? "stdio")
            }
        // A connection that never logged in is refused here, without a trip to the writer.
        guard binding != nil || declaration.opensBeforeLogin else { return .failure(AuthGate.loginFirst) }
        if let binding {
            var login: JSONObject = ["user_id": .string(binding.user.description), "via": .string(binding.via)]
            login.append("token_id", ifPresent: binding.tokenID.map { .string($0.description) })
            request.append("login", .object(login))
        }
        let reply: [UInt8]
        do throws(ForwardingFailure) {
            reply = try await store.forward(JSONWriter.bytes(.object(request)))
        } catch {
            return .failure(
                ResponseError(
                    code: .unavailable, message: error.message, error: "unavailable",
                    details: ["in_doubt": .bool(error.inDoubt)]))
        }
        guard let value = try? JSONParser.parse(reply) else { return .failure(.internalError) }
        if let error = value["error"] {
            return .failure(
                ResponseError(
                    code: error["code"]?.intValue ?? ErrorCode.internalError.rawValue,
                    message: error["message"]?.stringValue ?? "", data: error["data"]))
        }
        // Durable on the writer and applied here.
        return .success(value["result"] ?? .null, .durable)
    }

    // MARK: The writer's end

    /// The reply to a forwarded write that a writer took and never answered before it stopped.
    static let abandoned = ResponseError(
        code: .unavailable,
        message: "The server that took this write stopped before it answered, so it may have been applied; "
            + "read the data to find out, or retry with the same idempotency_key",
        error: "unavailable", details: ["in_doubt": true])

    /// Runs a request a read node forwarded, as its caller, through `invoker` (this server's dispatcher), and
    /// returns the reply once the write is durable.
    package static func run(_ request: [UInt8], abandoned: Bool, invoker: MethodInvoker) async -> [UInt8] {
        if abandoned { return reply(.failure(Self.abandoned)) }
        guard let value = try? JSONParser.parse(request), let method = value["method"]?.stringValue else {
            return reply(.failure(.invalidRequest("a forwarded write that cannot be read")))
        }
        let binding = value["login"].flatMap { login -> ConnectionIdentity.Binding? in
            guard let user = login["user_id"]?.stringValue, let via = login["via"]?.stringValue else { return nil }
            return ConnectionIdentity.Binding(
                user: UserID(user), tokenID: login["token_id"]?.stringValue.flatMap(TokenID.init), via: via)
        }
        let context = RequestContext(
            connectionID: 0, transport: value["transport"]?.stringValue ?? "unix",
            identity: ConnectionIdentity(binding))
        let outcome = await invoker.call(method, params: value["params"], context: context)
        if case .success(_, let ticket?) = outcome {
            do { try await ticket.wait() } catch { return reply(.failure(Dispatcher.storeFailed)) }
        }
        return reply(outcome)
    }

    private static func reply(_ outcome: Dispatcher.Outcome) -> [UInt8] {
        switch outcome {
        case .success(let result, _): JSONWriter.bytes(["result": result])
        case .failure(let error): JSONWriter.bytes(["error": error.json])
        }
    }
}
