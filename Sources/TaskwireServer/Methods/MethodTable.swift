package import JSON
package import TaskStore

/// What a handler produced: the result, and when the result reports a write, the ticket that says the
/// write is durable. The server sends the reply only after the ticket completes.
package struct Reply: Sendable {
    package var result: JSONValue
    package var ticket: CommitTicket?

    package init(_ result: JSONValue, after ticket: CommitTicket? = nil) {
        self.result = result
        self.ticket = ticket
    }
}

/// Every method the server answers, by wire name. Built once at start-up and immutable afterwards.
package struct MethodTable: Sendable {
    /// Handles one call: the raw `params` (absent, object or array) and who is calling.
    package typealias Handler = @Sendable (_ params: JSONValue?, _ context: RequestContext) async throws -> Reply

    private var handlers: [String: Handler] = [:]
    private var longRunning: Set<String> = []

    package init() {}

    /// Adds a method. Registering a name twice is a programming error.
    ///
    /// - Parameter runsLong: the handler may take a long time and must stop when `$/cancelRequest` arrives,
    ///   so it runs in a task of its own that cancellation interrupts. Other handlers run inline in the
    ///   connection's processing task, which saves two thread hand-offs per request; a cancellation that
    ///   arrives while one of them runs still turns its reply into -32800 (unless it made a write).
    package mutating func register(_ name: String, runsLong: Bool = false, _ handler: @escaping Handler) {
        precondition(handlers[name] == nil, "method \(name) registered twice")
        handlers[name] = handler
        if runsLong { longRunning.insert(name) }
    }

    /// Whether the method was registered with `runsLong`.
    package func runsLong(_ name: String) -> Bool { longRunning.contains(name) }

    /// The handler for a method name.
    package func handler(for name: String) -> Handler? { handlers[name] }

    /// Every registered name, sorted.
    package var methodNames: [String] { handlers.keys.sorted() }
}
