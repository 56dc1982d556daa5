/// Why a transport could not be set up: a clear sentence for the operator, and the system call behind it.
package struct TransportError: Error, Sendable, CustomStringConvertible {
    /// One or two sentences saying what is wrong and what to do.
    package var message: String
    /// The failed system call, when there was one.
    package var cause: SystemCallError?

    /// An error with an optional system-call cause.
    package init(_ message: String, cause: SystemCallError? = nil) {
        self.message = message
        self.cause = cause
    }

    package var description: String {
        guard let cause else { return message }
        return "\(message) (\(cause.call): \(cause.reason))"
    }
}
