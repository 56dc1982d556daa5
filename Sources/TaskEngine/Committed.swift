package import TaskStore

/// The result of a write, with the ticket that reports when the write is durable.
///
/// The server answers the client only after ``ticket`` completes.
package struct Committed<Value: Sendable>: Sendable {
    package var value: Value
    package var ticket: CommitTicket

    package init(_ value: Value, ticket: CommitTicket) {
        self.value = value
        self.ticket = ticket
    }
}
