import Dispatch
package import Foundation
package import JSONRPC
import Locking

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The real `taskwire` binary (or another server, such as the benchmark's echo floor) running as a child
/// process, exactly as a bot runtime spawns it: the one process harness of the tests and `taskwire-bench`.
///
/// The binary is `$TASKWIRE_BIN` when set, otherwise `taskwire` in the directory holding the running test
/// executable (`.build/<config>/`). stdin and stdout are wired to an ``RPCTestClient``; stderr is collected
/// unless asked otherwise. ``CommandResult/run(_:input:executable:environment:timeout:)`` runs a subcommand
/// to completion through it.
package final class ServerProcess: Sendable {
    /// Where the child's stderr goes.
    package enum ErrorOutput: Sendable {
        /// Into ``standardError`` (the default), read on a thread of its own.
        case collect
        /// To this process's stderr (the benchmark shows the server's log as it runs).
        case inherit
        /// Nowhere.
        case discard
    }

    /// The client speaking to the server over its stdin and stdout.
    package let client: RPCTestClient
    /// The child's stdin (write end) and stdout (read end), for a caller that speaks on them itself with
    /// blocking calls (the benchmark's lean connection). ``client`` owns them: use one or the other, and
    /// call ``stop()`` (or the client's `closeUnread()`) when done.
    package let standardIO: (input: Int32, output: Int32)
    private let process: Process
    private let shared = Shared()

    /// State the termination handler and the stderr thread write (a class, so closures can hold it).
    private final class Shared: Sendable {
        let exitStatus = Mutex<Int32?>(nil)
        let exitWaiters = Mutex<[ResumeOnce<Int32>]>([])
        let exited = DispatchSemaphore(value: 0)
        let stderrBytes = Mutex<[UInt8]>([])
        /// Signalled once stderr reached EOF (at once when it is not collected), so an exit status is never
        /// reported before the last log line is in ``standardError``.
        let stderrEnded = DispatchSemaphore(value: 0)
        /// Callers of ``waitForStandardError(containing:timeout:)`` still waiting, with the text they wait for.
        /// Taken inside `stderrBytes`' lock, so a line cannot arrive between a look and the registration.
        let logWaiters = Mutex<[(text: String, once: ResumeOnce<Void>)]>([])

        /// Appends to the log and resumes the waiters whose text it now holds (all of them, failing, at EOF).
        func logged(_ bytes: ArraySlice<UInt8>?) {
            let (found, ended): ([ResumeOnce<Void>], [ResumeOnce<Void>]) = stderrBytes.withLock { log in
                if let bytes { log.append(contentsOf: bytes) }
                return logWaiters.withLock { waiters in
                    guard !waiters.isEmpty else { return ([], []) }
                    guard bytes != nil else {
                        defer { waiters = [] }
                        return ([], waiters.map(\.once))
                    }
                    let text = String(decoding: log, as: UTF8.self)
                    let ready = waiters.filter { text.contains($0.text) }.map(\.once)
                    waiters.removeAll { text.contains($0.text) }
                    return (ready, [])
                }
            }
            for waiter in found { waiter.resume(with: .success(())) }
            for waiter in ended { waiter.resume(with: .failure(TestTimeout("a line the server never logged"))) }
        }
    }

    /// The path of the binary under test.
    package static var binaryURL: URL {
        if let explicit = ProcessInfo.processInfo.environment["TASKWIRE_BIN"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appendingPathComponent("taskwire")
    }

    /// Starts the server with `arguments`; the client writes with `framing` and reads `output`.
    ///
    /// - Parameters:
    ///   - executable: the binary's path; nil means the taskwire binary under test (``binaryURL``).
    ///   - standardError: where the child's stderr goes.
    package init(
        executable: String? = nil, arguments: [String] = ["--in-memory"], framing: Framing = .ndjson,
        output: RPCTestClient.Output = .frames, environment: [String: String]? = nil,
        standardError errorOutput: ErrorOutput = .collect
    ) throws {
        let binary = executable.map { URL(fileURLWithPath: $0) } ?? Self.binaryURL
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestSupportError("no executable at \(binary.path); build it or set TASKWIRE_BIN")
        }
        // Concurrent tests spawn servers at the same time: no child may inherit another test's pipe ends, or
        // EOF never reaches the one that owns them (a stderr kept open by another test's long-running server
        // held up this server's exit). Pipes are made close-on-exec and children spawned under one lock, so
        // no spawn falls between a pipe and its flag; posix_spawn's dup2 clears it on the child's 0/1/2.
        spawnLock.lock()
        defer { spawnLock.unlock() }
        let stdin = try CloseOnExecPipe()
        let stdout = try CloseOnExecPipe()
        let stderr = try CloseOnExecPipe()
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = stdin.fileHandleForReading
        process.standardOutput = stdout.fileHandleForWriting
        switch errorOutput {
        case .collect: process.standardError = stderr.fileHandleForWriting
        case .inherit: process.standardError = FileHandle.standardError
        case .discard: process.standardError = FileHandle.nullDevice
        }
        self.process = process
        let readFD = fcntl(stdout.fileHandleForReading.fileDescriptor, F_DUPFD_CLOEXEC, 3)
        let writeFD = fcntl(stdin.fileHandleForWriting.fileDescriptor, F_DUPFD_CLOEXEC, 3)
        self.standardIO = (input: writeFD, output: readFD)
        self.client = RPCTestClient(readFD: readFD, writeFD: writeFD, framing: framing, output: output)
        process.terminationHandler = { [shared] process in
            let status =
                process.terminationReason == .uncaughtSignal
                ? 128 + process.terminationStatus
                : process.terminationStatus
            // Report the exit only once the log is complete: the stderr thread reaches EOF right after it.
            DispatchQueue.global().async {
                _ = shared.stderrEnded.wait(timeout: .now() + 10)
                shared.stderrEnded.signal()
                let waiters = shared.exitStatus.withLock { stored in
                    stored = status
                    return shared.exitWaiters.withLock { waiters in
                        defer { waiters = [] }
                        return waiters
                    }
                }
                shared.exited.signal()
                for waiter in waiters { waiter.resume(with: .success(status)) }
            }
        }
        try process.run()
        // The parent's copies of the child's ends must close, or EOF never arrives.
        try stdin.fileHandleForReading.close()
        try stdout.fileHandleForWriting.close()
        try stderr.fileHandleForWriting.close()
        try stdin.fileHandleForWriting.close()
        try stdout.fileHandleForReading.close()
        guard errorOutput == .collect else {
            try stderr.fileHandleForReading.close()
            shared.stderrEnded.signal()
            return
        }
        let errorFD = fcntl(stderr.fileHandleForReading.fileDescriptor, F_DUPFD_CLOEXEC, 3)
        try stderr.fileHandleForReading.close()
        let thread = Thread { [shared] in
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(errorFD, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                shared.logged(buffer[0..<count])
            }
            shared.logged(nil)
            close(errorFD)
            shared.stderrEnded.signal()
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

    /// Returns once the server's log (collected stderr) contains `text`; throws when its stderr ends first or
    /// after `timeout`. The way to wait for what a server does on its own (taking over a database).
    package func waitForStandardError(containing text: String, timeout: Duration = .seconds(30)) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let once = ResumeOnce(continuation)
            let found = shared.stderrBytes.withLock { log in
                if String(decoding: log, as: UTF8.self).contains(text) { return true }
                shared.logWaiters.withLock { $0.append((text, once)) }
                return false
            }
            if found {
                once.resume(with: .success(()))
                return
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.seconds) {
                once.resume(with: .failure(TestTimeout("\"\(text)\" in the server's log")))
            }
        }
    }

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

    /// Blocks until the server exits and returns its status (128 + n when killed by signal n), or nil after
    /// `timeout`. For synchronous callers such as the benchmark; tests await ``waitForExit(timeout:)``.
    package func waitUntilExit(timeout: Duration = .seconds(30)) -> Int32? {
        guard shared.exited.wait(timeout: .now() + timeout.seconds) == .success else { return nil }
        shared.exited.signal()
        return shared.exitStatus.withLock { $0 }
    }

    /// Closes stdin (the server's signal to finish), sends SIGTERM if it is still running, blocks until it
    /// exits, and closes the descriptors nothing reads. Returns the exit status, or nil after `timeout`.
    @discardableResult
    package func stop(timeout: Duration = .seconds(30)) -> Int32? {
        client.closeWriting()
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGTERM) }
        let status = waitUntilExit(timeout: timeout)
        client.closeUnread()
        return status
    }

    /// The resident memory of the server in bytes (`VmRSS` in `/proc`), 0 when unknown.
    package func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let digits = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return digits * 1024
        }
        return 0
    }
}

/// A pipe whose two ends are close-on-exec before any child can be spawned: made under ``spawnLock``, which
/// every spawn of this harness also holds, so no spawn falls between `pipe` and the flag (Swift's Glibc does
/// not offer `pipe2`).
private struct CloseOnExecPipe {
    let fileHandleForReading: FileHandle
    let fileHandleForWriting: FileHandle

    init() throws {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw TestSupportError("pipe failed with errno \(errno)") }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        fileHandleForReading = FileHandle(fileDescriptor: ends[0], closeOnDealloc: false)
        fileHandleForWriting = FileHandle(fileDescriptor: ends[1], closeOnDealloc: false)
    }
}

/// Held while a harness makes its pipes and spawns its child, so that no child inherits a pipe made at the
/// same moment by another test before it became close-on-exec.
private let spawnLock = NSLock()

extension ServerProcess {
    /// Runs `body` while no test spawns a child: for a test that opens and closes descriptors by the
    /// thousand. Foundation's `Process.run` goes through the process's open descriptors as it spawns, and
    /// crashed (a bad memcpy inside it) while another test was opening 2,000 sockets.
    package static func withoutSpawns<T>(_ body: () throws -> T) rethrows -> T {
        spawnLock.lock()
        defer { spawnLock.unlock() }
        return try body()
    }
}
