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

    package init() {}

    /// Adds a method. Registering a name twice is a programming error.
    package mutating func register(_ name: String, _ handler: @escaping Handler) {
        precondition(handlers[name] == nil, "method \(name) registered twice")
        handlers[name] = handler
    }

    /// The handler for a method name.
    package func handler(for name: String) -> Handler? { handlers[name] }

    /// Every registered name, sorted.
    package var methodNames: [String] { handlers.keys.sorted() }
}
