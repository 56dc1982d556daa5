package import TaskwireLog

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Serving the process's own stdin and stdout, as a bot runtime's child process.
///
/// stdout must carry protocol frames and nothing else, so at start-up the protocol moves to a private
/// duplicate of fd 1 and fd 1 is pointed at stderr: a stray `print` or a child process writing to its
/// inherited stdout then lands in the log instead of corrupting the stream.
package enum StdioTransport {
    /// Duplicates fd 1 for the protocol (close-on-exec, so children never inherit it) and points fd 1 at
    /// fd 2. Call it first thing at start-up, before anything can write to stdout.
    package static func claimStandardOutput() throws(TransportError) -> Int32 {
        let protocolFD = fcntl(1, F_DUPFD_CLOEXEC, 3)
        guard protocolFD >= 0 else {
            throw TransportError(
                "Cannot duplicate stdout for the protocol.",
                cause: .current("duplicate stdout", call: "fcntl(F_DUPFD_CLOEXEC)")
            )
        }
        guard dup2(2, 1) >= 0 else {
            throw TransportError(
                "Cannot point stdout at stderr.",
                cause: .current("redirect stdout", call: "dup2")
            )
        }
        return protocolFD
    }

    /// The connection over stdin and the protocol descriptor returned by ``claimStandardOutput()``.
    package static func connection(
        protocolFD: Int32, configuration: Connection.Configuration, logger: Logger
    ) -> Connection {
        Connection(
            readFD: 0, writeFD: protocolFD, ownsDescriptors: false, transport: "stdio", configuration: configuration,
            logger: logger
        )
    }
}
