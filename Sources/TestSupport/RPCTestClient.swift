import Dispatch
import Foundation
package import JSON
package import JSONRPC
import Locking

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A JSON-RPC client for tests over a pair of file descriptors (a spawned server's pipes, or a socket).
///
/// Writes run on a serial dispatch queue, so a test never blocks the concurrency pool even when the server
/// is not reading; reads run on a dedicated thread that starts with the first ``next(timeout:)`` (or
/// ``startReading()``), so a test can leave replies unread on purpose. Every wait has a timeout.
package final class RPCTestClient: Sendable {
    /// What the reader hands to ``nextBody(timeout:)``.
    package enum Output: Sendable {
        /// Decoded frame bodies (the default).
        case frames
        /// The bytes exactly as each `read(2)` returned them, for tests of the framing itself and for
        /// commands that print text rather than frames.
        case bytes
    }

    /// The framing this client writes (and reads).
    package let framing: Framing
    /// What ``nextBody(timeout:)`` returns.
    package let output: Output
    private let readFD: Int32
    private let writeFD: Int32
    private let isSocket: Bool
    private let inbox = FrameInbox()
    private let writer = DispatchQueue(label: "taskwire.test-client.writer")
    /// Whether the reader thread started, and which of this client's descriptors are closed. Closing goes
    /// through ``closeOnce(_:)`` under this lock: tests run in parallel in one process, and a descriptor
    /// closed twice (or read after closing) could hit another test's connection that reused the number.
    private let descriptors = Mutex<(readerStarted: Bool, closed: Set<Int32>)>((false, []))
    private let writeFailure = Mutex<Int32?>(nil)
    private let nextID = Atomic(0)

    /// A client over descriptors it now owns.
    package init(readFD: Int32, writeFD: Int32, framing: Framing, output: Output = .frames) {
        signal(SIGPIPE, SIG_IGN)
        self.readFD = readFD
        self.writeFD = writeFD
        self.framing = framing
        self.output = output
        var status = stat()
        isSocket = fstat(readFD, &status) == 0 && (status.st_mode & S_IFMT) == S_IFSOCK
    }

    /// Connects to a Unix socket.
    package static func connect(toSocket path: String, framing: Framing) throws -> RPCTestClient {
        let fd = try connectedSocket(path)
        return RPCTestClient(readFD: fd, writeFD: fd, framing: framing)
    }

    /// A blocking socket connected to the Unix socket at `path` (close-on-exec), for a test that reads and
    /// writes it itself (thousands of them, without a reader thread each).
    package static func connectedSocket(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket() failed: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw TestSupportError("socket path too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw TestSupportError("connect(\(path)) failed: \(String(cString: strerror(code)))")
        }
        return fd
    }

    /// Sends raw bytes exactly as given (for malformed input and hand-made frames).
    package func sendRaw(_ bytes: [UInt8]) {
        writer.async { [self] in
            guard writeFailure.withLock({ $0 }) == nil else { return }
            // Never write to a descriptor this client closed: its number may belong to another test by now.
            guard !descriptors.withLock({ $0.closed.contains(writeFD) }) else {
                writeFailure.withLock { $0 = EBADF }
                return
            }
            if let code = writeFully(writeFD, bytes) { writeFailure.withLock { $0 = code } }
        }
    }

    /// Sends raw text exactly as given.
    package func sendRaw(_ text: String) { sendRaw(Array(text.utf8)) }

    /// Sends one message body in this client's framing.
    package func send(body: String) { sendRaw(framing.frame(Array(body.utf8))) }

    /// Sends one JSON value in this client's framing.
    package func send(_ value: JSONValue) { sendRaw(framing.frame(JSONWriter.bytes(value))) }

    /// Sends a request with a fresh integer id and returns the id.
    @discardableResult
    package func sendRequest(_ method: String, params: JSONValue? = nil) -> Int {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        var object: JSONObject = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method)]
        object.append("params", ifPresent: params)
        send(.object(object))
        return id
    }

    /// Sends a request and returns its reply (the whole response object), failing on timeout.
    package func call(
        _ method: String, params: JSONValue? = nil, timeout: Duration = .seconds(10)
    ) async throws
        -> JSONValue
    {
        let id = sendRequest(method, params: params)
        let reply = try await next(timeout: timeout)
        guard reply["id"] == .int(id) else { throw TestSupportError("expected the reply to \(id), got \(reply)") }
        return reply
    }

    /// Waits until everything sent so far was written (or writing failed), failing on timeout.
    package func flush(timeout: Duration = .seconds(10)) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let once = ResumeOnce(continuation)
            writer.async { once.resume(with: .success(())) }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.seconds) {
                once.resume(with: .failure(TestTimeout("writes to the server to complete")))
            }
        }
    }

    /// The errno of the first failed write, if any.
    package var writeError: Int32? { writeFailure.withLock { $0 } }

    /// Starts the reader thread (the first ``next(timeout:)`` does it too).
    package func startReading() {
        let start = descriptors.withLock { state -> Bool? in
            guard !state.readerStarted else { return nil }
            state.readerStarted = true
            return !state.closed.contains(readFD)
        }
        guard let start else { return }
        guard start else {
            inbox.end()
            return
        }
        let thread = Thread { [self] in readLoop() }
        thread.name = "taskwire-test-client-read"
        thread.start()
    }

    /// The next frame body as raw bytes, or nil at end of stream.
    package func nextBody(timeout: Duration = .seconds(10)) async throws -> [UInt8]? {
        startReading()
        return try await inbox.next(timeout: timeout, what: "a frame from the server")
    }

    /// Everything the server writes until it closes the stream; each wait for more has `timeout`.
    package func readToEnd(timeout: Duration = .seconds(10)) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let body = try await nextBody(timeout: timeout) { bytes += body }
        return bytes
    }

    /// The next message, parsed; fails at end of stream or on timeout.
    package func next(timeout: Duration = .seconds(10)) async throws -> JSONValue {
        guard let body = try await nextBody(timeout: timeout) else {
            throw TestSupportError("the server closed the stream")
        }
        return try JSONParser.parse(body)
    }

    /// Waits for the end of the stream; fails if a frame arrives first or on timeout.
    package func expectEndOfStream(timeout: Duration = .seconds(10)) async throws {
        if let body = try await nextBody(timeout: timeout) {
            throw TestSupportError("expected end of stream, got \(String(decoding: body, as: UTF8.self))")
        }
    }

    /// Waits, without reading, until the server hangs up on this socket (it shut the connection down).
    package func waitForHangUp(timeout: Duration = .seconds(10)) async throws {
        let fd = readFD
        // POLLRDHUP (Linux): the peer shut its side down, reported even while unread data is waiting.
        let peerHungUp = Int16(0x2000)
        let milliseconds = Int32(timeout.seconds * 1000)
        let hungUp = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            DispatchQueue.global().async {
                var descriptor = pollfd(fd: fd, events: peerHungUp, revents: 0)
                var result: Int32
                repeat { result = poll(&descriptor, 1, milliseconds) } while result < 0 && errno == EINTR
                continuation.resume(returning: result > 0 && descriptor.revents & (peerHungUp | Int16(POLLHUP)) != 0)
            }
        }
        guard hungUp else { throw TestTimeout("the server to hang up") }
    }

    /// Closes the write side (EOF for the server); the read side stays open for replies.
    package func closeWriting() {
        writer.async { [self] in
            if isSocket {
                descriptors.withLock { state in
                    if !state.closed.contains(writeFD) { shutdown(writeFD, Int32(SHUT_WR)) }
                }
            } else {
                closeOnce(writeFD)
            }
        }
    }

    /// Closes the connection at once (a client vanishing mid-request).
    package func disconnect() {
        writer.async { [self] in
            if isSocket {
                // A running reader sees the shutdown as EOF and closes the descriptor itself; otherwise it is
                // closed here, and marked so, so that no reader starts on it afterwards. All under the lock:
                // a descriptor this client already closed may now belong to another test's connection, and
                // must not be shut down.
                descriptors.withLock { state in
                    guard !state.closed.contains(readFD) else { return }
                    shutdown(readFD, Int32(SHUT_RDWR))
                    if !state.readerStarted {
                        state.closed.insert(readFD)
                        close(readFD)
                    }
                }
            } else {
                closeOnce(writeFD)
            }
        }
    }

    private func readLoop() {
        var decoder = FrameDecoder(mode: framing == .lsp ? .lsp : .ndjson, maxFrameBytes: 1 << 30)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var events: [FrameEvent] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            if output == .bytes {
                inbox.push(Array(buffer[0..<count]))
                continue
            }
            buffer.withUnsafeBufferPointer { decoder.push(UnsafeBufferPointer(rebasing: $0[0..<count]), into: &events) }
            for event in events {
                switch event {
                case .frame(let body): inbox.push(body)
                case .error(let error): inbox.push(Array("framing error: \(error.message)".utf8))
                }
            }
            events.removeAll(keepingCapacity: true)
        }
        inbox.end()
        closeOnce(readFD)
    }

    /// Closes both descriptors when nothing reads them: a caller that spoke on them itself (see
    /// ``ServerProcess/standardIO``) is done. A running reader closes its own descriptor at end of stream.
    package func closeUnread() {
        writer.sync {
            let closeRead = descriptors.withLock { state -> Bool in
                guard !state.readerStarted else { return false }
                state.readerStarted = true
                return true
            }
            if closeRead { closeOnce(readFD) }
            if writeFD != readFD { closeOnce(writeFD) }
        }
    }

    /// Closes one of this client's descriptors unless it was closed already.
    private func closeOnce(_ fd: Int32) {
        if descriptors.withLock({ $0.closed.insert(fd).inserted }) { close(fd) }
    }
}

/// A failure in the test harness itself.
package struct TestSupportError: Error, CustomStringConvertible {
    /// What went wrong.
    package var message: String

    /// An error with a message.
    package init(_ message: String) { self.message = message }

    package var description: String { message }
}
