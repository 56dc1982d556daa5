#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed system call: what was being done, the call, and its `errno`, never a bare number.
package struct SystemCallError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the server was trying to do ("bind the socket /run/taskwire.sock").
    package var message: String
    /// The system call that failed ("bind").
    package var call: String
    /// The `errno` it set.
    package var errno: Int32

    /// An error for `call` failing with `errno` while doing `message`.
    package init(_ message: String, call: String, errno: Int32) {
        self.message = message
        self.call = call
        self.errno = errno
    }

    /// An error carrying the current `errno`.
    package static func current(_ message: String, call: String) -> SystemCallError {
        SystemCallError(message, call: call, errno: lastErrno())
    }

    /// `strerror` for the errno.
    package var reason: String { String(cString: strerror(errno)) }

    package var description: String { "\(message): \(call): \(reason)" }
}

/// The calling thread's `errno`, readable where a property named `errno` shadows the global.
package func lastErrno() -> Int32 { errno }
