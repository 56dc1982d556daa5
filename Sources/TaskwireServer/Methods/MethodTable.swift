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

/// Why the method table could not be built.
package struct MethodTableError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    package var message: String

    package var description: String { message }
}

/// Every method the server answers, by wire name, with its facts. Built once at start-up from one list of
/// ``MethodDeclaration``s and immutable afterwards.
package struct MethodTable: Sendable {
    private let declarations: [String: MethodDeclaration]

    /// A table of `declarations`; a name declared twice is refused.
    package init(_ declarations: [MethodDeclaration]) throws(MethodTableError) {
        var byName: [String: MethodDeclaration] = [:]
        for declaration in declarations {
            guard byName.updateValue(declaration, forKey: declaration.name) == nil else {
                throw MethodTableError(message: "The method \(declaration.name) is declared twice.")
            }
        }
        self.declarations = byName
    }

    /// The declaration of a method name, or `nil` for a method the server does not answer.
    package func declaration(for name: String) -> MethodDeclaration? { declarations[name] }

    /// Every declaration, sorted by name.
    package var all: [MethodDeclaration] { declarations.values.sorted { $0.name < $1.name } }

    /// Every name, sorted.
    package var methodNames: [String] { declarations.keys.sorted() }
}
