package import JSON

/// Everything the server knows about one method, declared once beside its handler.
///
/// The facts decide how the method is served and described: the ``AuthGate`` lets ``opensBeforeLogin``
/// methods through before `auth.login` and counts every call against ``rateLimit``; the ``Session`` gives
/// ``runsLong`` methods a task of their own; ``readOnly``, ``destructive`` and ``idempotent`` tell clients
/// what a call may do (they become MCP tool annotations). `schema/openrpc.json` repeats every fact as an
/// `x-` field of the method, and a test keeps the two in agreement. The rules for the last three:
///
/// - **readOnly**: the method changes no stored state: `get`, `list`, `history`, `whoami`, `rpc.discover`,
///   `server.info`, `ping`, and the event feed's `events.since`, `events.subscribe` and `events.unsubscribe`
///   (which change only the connection's subscriptions). A read-only method is never destructive, counts
///   against `read`, `list` or no limit, never against a write's, and is idempotent, except
///   `events.subscribe`: every call adds a subscription.
/// - **destructive**: the method removes or disables something that no later call brings back (a deleted
///   task, an attachment and its bytes, a revoked token). Changes that a later call can undo (update,
///   complete, upsert) are not destructive.
/// - **idempotent**: making the same call again, with the same params and nothing in between, changes
///   nothing more; its answer may differ (404 for a task already deleted). `tasks.create` is not: its
///   `idempotency_key` is optional, and without it every call creates another task. `auth.login` is not:
///   every failed attempt counts towards the connection's login throttle.
package struct MethodDeclaration: Sendable {
    /// Handles one call: the raw `params` (absent, object or array) and who is calling.
    ///
    /// A handler reads its params with ``ParamReader``, makes one engine call and returns a ``Reply``.
    package typealias Handler = @Sendable (_ params: JSONValue?, _ context: RequestContext) async throws -> Reply

    /// The wire name (`tasks.create`).
    package let name: String
    /// The ``RateLimitPolicy`` operation each call counts against, or `nil` for a method never limited.
    package let rateLimit: String?
    /// Whether a socket connection may call the method before `auth.login`.
    package let opensBeforeLogin: Bool
    /// The handler may take a long time and must stop when `$/cancelRequest` arrives, so it runs in a task
    /// of its own that cancellation interrupts. Other handlers run inline in the connection's processing
    /// task, which saves two thread hand-offs per request; a cancellation that arrives while one of them
    /// runs still turns its reply into -32800 (unless it made a write).
    package let runsLong: Bool
    /// Whether the method only reads.
    package let readOnly: Bool
    /// Whether the method removes or disables something for good.
    package let destructive: Bool
    /// Whether repeating the same call changes nothing more.
    package let idempotent: Bool
    /// Runs one call.
    package let handler: Handler

    /// A method and its facts; the three effects have no defaults, so every method decides them.
    package init(
        _ name: String, rateLimit: String?, opensBeforeLogin: Bool = false, runsLong: Bool = false,
        readOnly: Bool, destructive: Bool, idempotent: Bool, handler: @escaping Handler
    ) {
        self.name = name
        self.rateLimit = rateLimit
        self.opensBeforeLogin = opensBeforeLogin
        self.runsLong = runsLong
        self.readOnly = readOnly
        self.destructive = destructive
        self.idempotent = idempotent
        self.handler = handler
    }
}
