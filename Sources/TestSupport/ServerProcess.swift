import Dispatch
package import Foundation
package import JSONRPC
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The real `taskwire` binary running as a child process, exactly as a bot runtime spawns it.
///
/// The binary is `$TASKWIRE_BIN` when set, otherwise `taskwire` in the directory holding the running test
/// executable (`.build/<config>/`). stdin and stdout are wired to an ``RPCTestClient``; stderr is collected.
package final class ServerProcess: Sendable {
    /// The client speaking to the server over its stdin and stdout.
    package let client: RPCTestClient
    private let process: Process
    private let shared = Shared()

    /// State the termination handler and the stderr thread write (a class, so closures can hold it).
    private final class Shared: Sendable {
        let exitStatus = Mutex<Int32?>(nil)
        let exitWaiters = Mutex<[ResumeOnce<Int32>]>([])
        let stderrBytes = Mutex<[UInt8]>([])
    }

    /// The path of the binary under test.
    package static var binaryURL: URL {
        if let explicit = ProcessInfo.processInfo.environment["TASKWIRE_BIN"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appendingPathComponent("taskwire")
    }

    /// Starts `taskwire` with `arguments`; the client writes with `framing`.
    package init(
        arguments: [String] = ["--in-memory"], framing: Framing = .ndjson, environment: [String: String]? = nil
    ) throws {
        let binary = Self.binaryURL
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestSupportError("no taskwire binary at \(binary.path); build it or set TASKWIRE_BIN")
        }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        // Concurrent tests spawn servers at the same time: no child may inherit another test's pipe ends, or
        // EOF never reaches the server that owns them. posix_spawn's dup2 clears the flag on the child's 0/1/2.
        for pipe in [stdin, stdout, stderr] {
            _ = fcntl(pipe.fileHandleForReading.fileDescriptor, F_SETFD, FD_CLOEXEC)
            _ = fcntl(pipe.fileHandleForWriting.fileDescriptor, F_SETFD, FD_CLOEXEC)
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        self.process = process
        let readFD = fcntl(stdout.fileHandleForReading.fileDescriptor, F_DUPFD_CLOEXEC, 3)
        let writeFD = fcntl(stdin.fileHandleForWriting.fileDescriptor, F_DUPFD_CLOEXEC, 3)
        self.client = RPCTestClient(readFD: readFD, writeFD: writeFD, framing: framing)
        process.terminationHandler = { [shared] process in
            let status =
                process.terminationReason == .uncaughtSignal
                ? 128 + process.terminationStatus
                : process.terminationStatus
            let waiters = shared.exitStatus.withLock { stored in
                stored = status
                return shared.exitWaiters.withLock { waiters in
                    defer { waiters = [] }
                    return waiters
                }
            }
            for waiter in waiters { waiter.resume(with: .success(status)) }
        }
        try process.run()
        // The parent's copies of the child's ends must close, or EOF never arrives.
        try stdin.fileHandleForReading.close()
        try stdout.fileHandleForWriting.close()
        try stderr.fileHandleForWriting.close()
        try stdin.fileHandleForWriting.close()
        try stdout.fileHandleForReading.close()
        let errorFD = fcntl(stderr.fileHandleForReading.fileDescriptor, F_DUPFD_CLOEXEC, 3)
        try stderr.fileHandleForReading.close()
        let thread = Thread { [shared] in
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(errorFD, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                shared.stderrBytes.withLock { $0.append(contentsOf: buffer[0..<count]) }
            }
            close(errorFD)
        }
        thread.start()
    }

    deinit {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// The process id.
    package var pid: Int32 { process.processIdentifier }

    /// What the server wrote to stderr so far (its log).
    package var standardError: String { String(decoding: shared.stderrBytes.withLock { $0 }, as: UTF8.self) }

    /// Sends a signal to the server.
    package func signal(_ number: Int32) { Glibc.kill(process.processIdentifier, number) }

    /// Waits for the server to exit and returns its status (128 + n when killed by signal n).
    package func waitForExit(timeout: Duration = .seconds(10)) async throws -> Int32 {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            let once = ResumeOnce(continuation)
            let known = shared.exitStatus.withLock { status -> Int32? in
                if status == nil { shared.exitWaiters.withLock { $0.append(once) } }
                return status
            }
            if let known {
                once.resume(with: .success(known))
                return
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.seconds) {
                once.resume(with: .failure(TestTimeout("the server to exit")))
            }
        }
    }

    /// Kills the server if it is still running.
    package func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }
}
