import Foundation
import Glibc

/// A shell command line run to completion: `/bin/sh -c COMMAND`, fed its standard input, its standard
/// output and error kept (up to a bound), killed when it runs past a deadline.
///
/// Made for a server that holds many descriptors (sockets, journal files, other children's pipes), not all
/// of them close-on-exec: the child is spawned with `posix_spawn`, its 0, 1 and 2 set to private pipes and
/// every other descriptor closed in the child (`posix_spawn_file_actions_addclosefrom_np`, or each open one
/// listed in `/proc/self/fd` on a C library without it). It starts in a process group of its own (so a
/// timeout kills what it started too) with an empty signal mask and the usual default dispositions (the
/// server ignores `SIGPIPE`, which a child would otherwise inherit). ``run(input:)`` blocks: call it on a
/// thread of its own, never on the concurrency pool.
struct ShellCommand: Sendable {
    /// How the run ended.
    enum Termination: Sendable, Equatable {
        /// The command exited with this status.
        case exited(Int32)
        /// The command was killed by this signal (not by the timeout).
        case signalled(Int32)
        /// The deadline passed; the command's process group was killed with `SIGKILL`.
        case timedOut
        /// It could not be started, or its exit status was lost: a sentence saying why.
        case failed(String)
    }

    /// What a run came to.
    struct Outcome: Sendable, Equatable {
        var termination: Termination
        /// The first ``ShellCommand/outputLimit`` bytes of standard output.
        var standardOutput: [UInt8]
        /// The first ``ShellCommand/outputLimit`` bytes of standard error.
        var standardError: [UInt8]
    }

    /// The command line, as a user types it after `sh -c`.
    var command: String
    /// Variables added to (or replacing those of) the server's environment.
    var environment: [String: String] = [:]
    /// How long the command may run, input and output included.
    var timeout: Duration
    /// How much of each output stream is kept; the rest is read and dropped, so the child never blocks on a
    /// full pipe.
    var outputLimit = 16 * 1024

    /// Runs the command with `input` on its standard input and waits until it ends or the deadline passes.
    func run(input: [UInt8]) -> Outcome {
        // A write into a pipe whose reader has gone raises SIGPIPE in this thread; blocked here, it stays
        // pending and is taken back below, and the write fails with EPIPE instead.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previousMask = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previousMask)
        defer {
            var pending = sigset_t()
            sigpending(&pending)
            if sigismember(&pending, SIGPIPE) == 1 {
                var noWait = timespec(tv_sec: 0, tv_nsec: 0)
                _ = sigtimedwait(&pipeSignal, nil, &noWait)
            }
            pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        }

        let pipes: (input: PipeEnds, output: PipeEnds, error: PipeEnds, exit: PipeEnds)
        do {
            pipes = (try PipeEnds(), try PipeEnds(), try PipeEnds(), try PipeEnds())
        } catch {
            return Outcome(termination: .failed(error.reason), standardOutput: [], standardError: [])
        }
        let childEnds = [pipes.input.read, pipes.output.write, pipes.error.write]
        let spawned = spawn(standardInput: pipes.input.read, output: pipes.output.write, error: pipes.error.write)
        for descriptor in childEnds { close(descriptor) }
        let pid: pid_t
        switch spawned {
        case .success(let child): pid = child
        case .failure(let failure):
            for descriptor in [
                pipes.input.write, pipes.output.read, pipes.error.read, pipes.exit.read, pipes.exit.write,
            ] {
                close(descriptor)
            }
            return Outcome(termination: .failed(failure.reason), standardOutput: [], standardError: [])
        }
        Self.reportExit(of: pid, into: pipes.exit.write)
        return communicate(
            pid: pid, input: input, standardInput: pipes.input.write, output: pipes.output.read,
            error: pipes.error.read, exitNotice: pipes.exit.read)
    }

    // MARK: Spawning

    private func spawn(standardInput: Int32, output: Int32, error: Int32) -> Result<pid_t, SystemFailure> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, standardInput, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, error, 2)
        if let closeFrom = GNUFunctions.addCloseFrom {
            _ = closeFrom(&actions, 3)
        } else {
            // Without closefrom, each descriptor open now is closed in the child (a close of one that is
            // no longer open by then is ignored by glibc); ours are close-on-exec anyway.
            for descriptor in Self.openDescriptors() where descriptor > 2 {
                posix_spawn_file_actions_addclose(&actions, descriptor)
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        let arguments: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map { (text: String) in strdup(text)
        }
        let environmentStrings: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") }
        defer {
            for pointer in arguments + environmentStrings { free(pointer) }
        }
        var pid = pid_t()
        let result = posix_spawn(&pid, "/bin/sh", &actions, &attributes, arguments + [nil], environmentStrings + [nil])
        guard result == 0 else { return .failure(SystemFailure("posix_spawn of /bin/sh", number: result)) }
        return .success(pid)
    }

    /// The descriptors open in this process, from `/proc/self/fd`.
    private static func openDescriptors() -> [Int32] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return [] }
        return names.compactMap { Int32($0) }
    }

    /// Waits for `pid` on a thread of its own and writes its wait status (5 bytes: 1 and the status, or 0
    /// when it was lost) into `notice`, then closes it.
    private static func reportExit(of pid: pid_t, into notice: Int32) {
        let thread = Thread {
            // The reader may have given up on the notice (a child that would not die): the write then fails
            // with EPIPE instead of raising SIGPIPE.
            var pipeSignal = sigset_t()
            sigemptyset(&pipeSignal)
            sigaddset(&pipeSignal, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
            var status: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(pid, &status, 0) } while result == -1 && errno == EINTR
            var message: [UInt8] = [result == pid ? 1 : 0]
            withUnsafeBytes(of: status) { message.append(contentsOf: $0) }
            _ = message.withUnsafeBytes { write(notice, $0.baseAddress, $0.count) }
            close(notice)
        }
        thread.start()
    }

    // MARK: Talking to the child

    private func communicate(
        pid: pid_t, input: [UInt8], standardInput: Int32, output: Int32, error: Int32, exitNotice: Int32
    ) -> Outcome {
        var inputEnd: Int32? = standardInput
        var outputEnd: Int32? = output
        var errorEnd: Int32? = error
        for descriptor in [standardInput, output, error] {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        var written = 0
        var standardOutput = BoundedBuffer(limit: outputLimit)
        var standardError = BoundedBuffer(limit: outputLimit)
        let deadline = Monotonic.now + timeout
        var waitStatus: Int32??
        defer {
            for descriptor in [inputEnd, outputEnd, errorEnd].compactMap({ $0 }) { close(descriptor) }
            close(exitNotice)
        }
        if input.isEmpty, let end = inputEnd {
            close(end)
            inputEnd = nil
        }

        while waitStatus == nil {
            let remaining = deadline - Monotonic.now
            guard remaining > .zero else { break }
            var descriptors: [pollfd] = [pollfd(fd: exitNotice, events: Int16(POLLIN), revents: 0)]
            if let end = inputEnd { descriptors.append(pollfd(fd: end, events: Int16(POLLOUT), revents: 0)) }
            if let end = outputEnd { descriptors.append(pollfd(fd: end, events: Int16(POLLIN), revents: 0)) }
            if let end = errorEnd { descriptors.append(pollfd(fd: end, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&descriptors, nfds_t(descriptors.count), Monotonic.milliseconds(rounding: remaining))
            if ready < 0 {
                guard errno == EINTR || errno == EAGAIN else { break }
                continue
            }
            for entry in descriptors where entry.revents != 0 {
                if entry.fd == exitNotice {
                    waitStatus = Self.readStatus(exitNotice)
                } else if entry.fd == inputEnd {
                    if written < input.count {
                        let count = input.withUnsafeBytes { bytes in
                            write(
                                entry.fd, bytes.baseAddress.map { $0 + written }, min(64 * 1024, input.count - written))
                        }
                        if count > 0 { written += count }
                        // EPIPE: the command stopped reading; what it does with what it got is up to it.
                        if count < 0, errno != EAGAIN, errno != EINTR { written = input.count }
                    }
                    if written >= input.count {
                        close(entry.fd)
                        inputEnd = nil
                    }
                } else if entry.fd == outputEnd {
                    if standardOutput.read(from: entry.fd) == .ended {
                        close(entry.fd)
                        outputEnd = nil
                    }
                } else if entry.fd == errorEnd {
                    if standardError.read(from: entry.fd) == .ended {
                        close(entry.fd)
                        errorEnd = nil
                    }
                }
            }
        }

        guard let status = waitStatus else {
            // The deadline passed: the whole group goes, then the exit is collected so no zombie stays.
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            // SIGKILL ends it unless it is stuck in the kernel; never wait for ever on that.
            var notice = [pollfd(fd: exitNotice, events: Int16(POLLIN), revents: 0)]
            var ready: Int32
            repeat { ready = poll(&notice, 1, 10_000) } while ready < 0 && errno == EINTR
            if ready > 0 { _ = Self.readStatus(exitNotice) }
            return Outcome(
                termination: .timedOut, standardOutput: standardOutput.bytes, standardError: standardError.bytes)
        }
        // What the command wrote before it exited is already in the pipes: read it without waiting for an
        // EOF that a background grandchild holding the pipe could put off for ever.
        if let end = outputEnd {
            while standardOutput.read(from: end) == .data {}
        }
        if let end = errorEnd {
            while standardError.read(from: end) == .data {}
        }
        let termination: Termination
        switch status {
        case nil:
            termination = .failed("the exit status of the command was lost (is SIGCHLD ignored?)")
        case let raw?:
            let signal = raw & 0x7F
            termination = signal == 0 ? .exited((raw >> 8) & 0xFF) : .signalled(signal)
        }
        return Outcome(
            termination: termination, standardOutput: standardOutput.bytes, standardError: standardError.bytes)
    }

    /// The status the waiting thread wrote: `nil` while it has not, `.some(nil)` when the status was lost.
    private static func readStatus(_ descriptor: Int32) -> Int32?? {
        var message = [UInt8](repeating: 0, count: 5)
        var count = 0
        while count < 5 {
            let result = message.withUnsafeMutableBytes {
                read(descriptor, $0.baseAddress.map { $0 + count }, 5 - count)
            }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { break }
            count += result
        }
        guard count == 5, message[0] == 1 else { return .some(nil) }
        return .some(message[1...].withUnsafeBytes { $0.loadUnaligned(as: Int32.self) })
    }
}

/// The first `limit` bytes read from a descriptor; the rest is read and dropped.
private struct BoundedBuffer {
    /// What one read found.
    enum ReadResult { case data, wouldBlock, ended }

    let limit: Int
    private(set) var bytes: [UInt8] = []

    init(limit: Int) { self.limit = limit }

    /// Reads what is there without waiting (the descriptor is non-blocking).
    mutating func read(from descriptor: Int32) -> ReadResult {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 { return errno == EAGAIN || errno == EINTR ? .wouldBlock : .ended }
        guard count > 0 else { return .ended }
        let room = max(0, limit - bytes.count)
        bytes.append(contentsOf: chunk[0..<min(room, count)])
        return .data
    }
}

/// The two ends of a pipe, both close-on-exec from the start (`pipe2(O_CLOEXEC)` when the C library has
/// it), so no child spawned elsewhere in the server at the same moment inherits them.
private struct PipeEnds {
    let read: Int32
    let write: Int32

    init() throws(SystemFailure) {
        var ends: [Int32] = [-1, -1]
        if let pipe2 = GNUFunctions.pipe2 {
            guard pipe2(&ends, O_CLOEXEC) == 0 else { throw SystemFailure("pipe2", number: errno) }
        } else {
            guard pipe(&ends) == 0 else { throw SystemFailure("pipe", number: errno) }
            _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        }
        read = ends[0]
        write = ends[1]
    }
}

/// GNU extensions Swift's Glibc module leaves out (they sit behind `_GNU_SOURCE`), looked up at run time.
private enum GNUFunctions {
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34 and later).
    static var addCloseFrom: AddCloseFrom? {
        symbol("posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: AddCloseFrom.self) }
    }

    /// `pipe2`.
    static var pipe2: Pipe2? {
        symbol("pipe2").map { unsafeBitCast($0, to: Pipe2.self) }
    }

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        guard let handle = dlopen(nil, RTLD_NOW) else { return nil }
        defer { dlclose(handle) }
        return dlsym(handle, name)
    }
}

/// A failed system call, with the C library's words for its errno.
struct SystemFailure: Error, Sendable {
    /// `posix_spawn of /bin/sh failed: Resource temporarily unavailable (errno 11)`.
    var reason: String

    init(_ call: String, number: Int32) {
        reason = "\(call) failed: \(String(cString: strerror(number))) (errno \(number))"
    }
}

/// The monotonic clock, for deadlines that a change of the wall clock cannot move.
enum Monotonic {
    /// Now.
    static var now: ContinuousClock.Instant { ContinuousClock.now }

    /// A wait as `poll` takes it: whole milliseconds, rounded up so a wait never ends early.
    static func milliseconds(rounding duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: max(0, milliseconds))
    }
}
