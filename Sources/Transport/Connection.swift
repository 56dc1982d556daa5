import Foundation
package import JSONRPC
import Locking
package import TaskwireLog

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One client's byte stream over a pair of file descriptors (the same descriptor twice for a socket).
///
/// A socket the connection owns is served by the process's ``EventLoop``: the loop thread reads it when
/// it is readable and hands all frames decoded from one read to the handler together, on that thread;
/// replies are written at once by whoever sends them, without blocking, and what the kernel cannot take
/// yet waits in a bounded queue that the loop writes, coalesced, when the socket is writable again. No
/// thread is spent per connection, so ten thousand idle clients cost kilobytes each.
///
/// Any other pair of descriptors (stdin and stdout, pipes) gets a dedicated reader thread running a
/// blocking `read(2)` loop, and a dedicated writer thread that drains the bounded queue, coalescing
/// whatever is waiting into one write: pipes shared with a parent cannot be made non-blocking.
///
/// Either way reading and writing never wait for each other, so a large reply cannot deadlock against a
/// client that is still writing requests. The connection knows bytes and frames, never what a message means.
package final class Connection: Sendable {
    /// Limits and framing for one connection.
    package struct Configuration: Sendable {
        /// How the framing is chosen.
        package var framing: FramingMode
        /// The largest message body accepted.
        package var maxFrameBytes: Int
        /// The largest LSP header block accepted.
        package var maxHeaderBytes: Int
        /// The most reply bytes that may wait for a slow reader before it is disconnected.
        package var maxOutboundBytes: Int

        /// The default outbound limit (64 MiB).
        package static let defaultMaxOutboundBytes = 64 * 1024 * 1024

        /// A configuration; every limit has a default.
        package init(
            framing: FramingMode = .auto,
            maxFrameBytes: Int = FramingLimits.defaultMaxFrameBytes,
            maxHeaderBytes: Int = FramingLimits.defaultMaxHeaderBytes,
            maxOutboundBytes: Int = Configuration.defaultMaxOutboundBytes
        ) {
            self.framing = framing
            self.maxFrameBytes = maxFrameBytes
            self.maxHeaderBytes = maxHeaderBytes
            self.maxOutboundBytes = maxOutboundBytes
        }
    }

    /// Why the reader stopped.
    package enum EndOfInput: Sendable, Hashable {
        /// The peer closed its side (EOF, or a reset connection).
        case closed
        /// The stream could not be split into messages any more; an error reply was already delivered.
        case protocolError
        /// `read(2)` failed.
        case readFailed(SystemCallError)
        /// The connection was disconnected from this side.
        case disconnected
    }

    /// What the connection reports to its owner. Every callback runs on a connection thread and must not block.
    package struct Handler: Sendable {
        /// Frames and framing errors decoded from one read, in stream order.
        package var received: @Sendable (_ connection: Connection, _ events: [FrameEvent]) -> Void
        /// No more input will come; called once.
        package var endOfInput: @Sendable (_ connection: Connection, _ reason: EndOfInput) -> Void
        /// Writing failed or the outbound queue overflowed: the peer is gone or stuck; called at most once.
        package var disconnected: @Sendable (_ connection: Connection, _ reason: String) -> Void

        /// A handler made of three callbacks.
        package init(
            received: @escaping @Sendable (Connection, [FrameEvent]) -> Void,
            endOfInput: @escaping @Sendable (Connection, EndOfInput) -> Void,
            disconnected: @escaping @Sendable (Connection, String) -> Void
        ) {
            self.received = received
            self.endOfInput = endOfInput
            self.disconnected = disconnected
        }
    }

    private struct State {
        var framing: Framing?
        var handler: Handler?
        var started = false
        var disconnected = false
        var writerDone = false
        var liveThreads = 0
        var flushWaiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private static let nextID = Atomic<UInt64>(1)

    /// A number unique to the connection for the life of the process.
    package let id: UInt64
    /// The transport's name for logs and `server.info` ("stdio", "unix").
    package let transport: String
    /// The connection's limits.
    package let configuration: Configuration
    let readFD: Int32
    private let writeFD: Int32
    private let ownsDescriptors: Bool
    private let isSocket: Bool
    let logger: Logger
    private let queue: OutboundQueue
    private let state: Mutex<State>
    /// The loop serving this connection; nil for a connection served by its own two threads.
    let loop: EventLoop?
    /// The loop-served connection's output and registration (unused with threads).
    let socket = Mutex(SocketState())
    /// The loop-served connection's decoder and handler, touched by the loop thread only (a lock, not a
    /// promise: it is never contended).
    let reader: Mutex<LoopReader>

    /// A connection over `readFD` and `writeFD`; when `ownsDescriptors`, they are closed once both threads end.
    package init(
        readFD: Int32, writeFD: Int32, ownsDescriptors: Bool, transport: String, configuration: Configuration,
        logger: Logger
    ) {
        self.id = Connection.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        self.transport = transport
        self.readFD = readFD
        self.writeFD = writeFD
        self.ownsDescriptors = ownsDescriptors
        self.configuration = configuration
        self.logger = logger
        self.queue = OutboundQueue(maxBytes: configuration.maxOutboundBytes)
        var status = stat()
        let isSocket = fstat(writeFD, &status) == 0 && (status.st_mode & S_IFMT) == S_IFSOCK
        self.isSocket = isSocket
        let loop = isSocket && readFD == writeFD && ownsDescriptors ? EventLoop.shared : nil
        if loop != nil {
            // The descriptor is this connection's own, so making it non-blocking changes nobody else's file.
            _ = fcntl(readFD, F_SETFL, fcntl(readFD, F_GETFL) | O_NONBLOCK)
        }
        self.loop = loop
        self.reader = Mutex(
            LoopReader(
                decoder: FrameDecoder(
                    mode: configuration.framing, maxFrameBytes: configuration.maxFrameBytes,
                    maxHeaderBytes: configuration.maxHeaderBytes
                )
            )
        )
        var initial = State()
        switch configuration.framing {
        case .auto: initial.framing = nil
        case .ndjson: initial.framing = .ndjson
        case .lsp: initial.framing = .lsp
        }
        self.state = Mutex(initial)
    }

    /// The framing in use, once the first bytes decided it.
    package var framing: Framing? { state.withLock { $0.framing } }

    /// Starts the reader and writer threads; call once.
    package func start(_ handler: Handler) {
        let alreadyStarted = state.withLock { state in
            defer {
                state.started = true
                state.handler = handler
                state.liveThreads = 2
            }
            return state.started
        }
        guard !alreadyStarted else { return }
        if loop != nil {
            startOnLoop(handler)
            return
        }
        let reader = Thread { [self] in readLoop() }
        reader.name = "taskwire-read-\(id)"
        reader.start()
        let writer = Thread { [self] in writeLoop() }
        writer.name = "taskwire-write-\(id)"
        writer.start()
    }

    /// Bytes queued for the peer and not written yet: how far behind a peer is in reading (event
    /// subscriptions end when theirs passes a bound, long before ``Configuration/maxOutboundBytes``).
    package var unwrittenBytes: Int {
        loop == nil ? queue.unwrittenBytes : socket.withLock { $0.pendingBytes }
    }

    /// Queues one message body, framed the way this connection frames. Returns false when it was dropped
    /// because the connection is finishing or gone; an overflow also disconnects the peer.
    @discardableResult
    package func send(_ body: [UInt8]) -> Bool {
        let framing = self.framing ?? .ndjson
        let frame = framing.frame(body)
        let result: OutboundQueue.EnqueueResult
        if loop != nil {
            result = sendOnLoop(frame)
        } else if isSocket {
            // A non-blocking send from the calling thread (often the store's writer, right after a sync)
            // spares waking this connection's writer thread; whatever does not fit is left to that thread.
            let fd = writeFD
            result = queue.enqueueOrWrite(frame) { bytes in
                bytes.withUnsafeBytes { buffer in
                    guard let base = buffer.baseAddress else { return 0 }
                    while true {
                        let sent = Glibc.send(fd, base, buffer.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                        if sent < 0, errno == EINTR { continue }
                        return sent
                    }
                }
            }
        } else if frame.count <= Int(PIPE_BUF) {
            // A pipe cannot be written without blocking unless O_NONBLOCK is set on it, which would change
            // the open file the parent shares. But when poll reports it writable, at least PIPE_BUF bytes
            // are free, and a write of at most PIPE_BUF bytes then completes at once and whole.
            let fd = writeFD
            result = queue.enqueueOrWrite(frame) { bytes in
                var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                guard poll(&ready, 1, 0) == 1, ready.revents & Int16(POLLOUT) != 0,
                    ready.revents & Int16(POLLERR | POLLHUP) == 0
                else { return 0 }
                return bytes.withUnsafeBytes { buffer in
                    guard let base = buffer.baseAddress else { return 0 }
                    while true {
                        let written = write(fd, base, buffer.count)
                        if written < 0, errno == EINTR { continue }
                        return written
                    }
                }
            }
        } else {
            result = queue.enqueue(frame)
        }
        switch result {
        case .queued:
            return true
        case .closed:
            return false
        case .overflow:
            let limit = loop == nil ? queue.maxBytes : max(1, configuration.maxOutboundBytes)
            logger.warning(
                "peer is not reading its replies; disconnecting",
                ["conn": String(id), "limit_bytes": String(limit)]
            )
            disconnect(reason: "outbound queue over \(limit) bytes")
            return false
        }
    }

    /// Stops accepting replies, writes what is queued, and waits until the writer is done or `timeout`
    /// passes; returns whether everything queued was written. A socket is then shut down.
    package func finishOutput(timeout: Duration) async -> Bool {
        if loop != nil { finishOnLoop() } else { queue.finish() }
        let flushed = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let waiter: UInt64? = state.withLock { state in
                if state.writerDone || !state.started {
                    return nil
                }
                state.nextWaiter += 1
                state.flushWaiters[state.nextWaiter] = continuation
                return state.nextWaiter
            }
            guard let waiter else {
                continuation.resume(returning: true)
                return
            }
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
                let expired = state.withLock { $0.flushWaiters.removeValue(forKey: waiter) }
                expired?.resume(returning: false)
            }
        }
        if loop != nil {
            shutdownOnLoop()
        } else if isSocket {
            shutdown(writeFD, Int32(SHUT_RDWR))
        }
        return flushed
    }

    /// Drops the peer: queued replies are discarded and a socket is shut down so both threads stop.
    package func disconnect(reason: String) {
        let (first, handler) = state.withLock { state in
            defer { state.disconnected = true }
            return (!state.disconnected, state.handler)
        }
        guard first else { return }
        if loop != nil {
            abortOnLoop()
        } else {
            queue.abort()
            if isSocket { shutdown(writeFD, Int32(SHUT_RDWR)) }
        }
        logger.debug("disconnected", ["conn": String(id), "reason": reason])
        if let handler { handler.disconnected(self, reason) }
    }

    private func readLoop() {
        let handler = state.withLock { $0.handler }
        var decoder = FrameDecoder(
            mode: configuration.framing,
            maxFrameBytes: configuration.maxFrameBytes,
            maxHeaderBytes: configuration.maxHeaderBytes
        )
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var events: [FrameEvent] = []
        var reason = EndOfInput.closed
        while true {
            let count = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if count < 0 {
                let code = lastErrno()
                if code == EINTR { continue }
                if state.withLock({ $0.disconnected }) {
                    reason = .disconnected
                } else if code == ECONNRESET {
                    reason = .closed
                } else {
                    reason = .readFailed(SystemCallError("read from the client", call: "read", errno: code))
                }
                break
            }
            if count == 0 {
                reason = state.withLock({ $0.disconnected }) ? .disconnected : .closed
                if reason == .closed { finishInput(&decoder, handler: handler) }
                break
            }
            let known = decoder.framing
            buffer.withUnsafeBufferPointer { decoder.push(UnsafeBufferPointer(rebasing: $0[0..<count]), into: &events) }
            if known == nil, let decided = decoder.framing {
                state.withLock { $0.framing = decided }
                logger.debug("framing detected", ["conn": String(id), "framing": decided.rawValue])
            }
            if !events.isEmpty {
                handler?.received(self, events)
                events.removeAll(keepingCapacity: true)
            }
            if decoder.hasFailed {
                reason = .protocolError
                break
            }
        }
        handler?.endOfInput(self, reason)
        threadExited()
    }

    /// The peer closed its side: delivers a last NDJSON line that had no newline (the peer may still read
    /// its answer, as a socket client that shut down only its writing side does), and logs an LSP frame
    /// that the end of input cut short.
    func finishInput(_ decoder: inout FrameDecoder, handler: Handler?) {
        var events: [FrameEvent] = []
        let dropped = decoder.finish(into: &events)
        if !events.isEmpty { handler?.received(self, events) }
        if dropped > 0 {
            logger.warning(
                "input ended inside a frame; its bytes were dropped",
                ["conn": String(id), "bytes": String(dropped)]
            )
        }
    }

    /// Every queued reply was written or dropped: wakes whoever waits in ``finishOutput(timeout:)``.
    func outputFinished() {
        let waiters = state.withLock { state in
            state.writerDone = true
            defer { state.flushWaiters.removeAll() }
            return Array(state.flushWaiters.values)
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// Whether ``disconnect(reason:)`` ran.
    var isDisconnected: Bool { state.withLock { $0.disconnected } }

    /// Records the framing the first bytes decided.
    func framingDecided(_ framing: Framing) {
        state.withLock { $0.framing = framing }
    }

    private func writeLoop() {
        while let bytes = queue.takeAll() {
            if let failure = writeAll(bytes) {
                let peerGone = failure.errno == EPIPE || failure.errno == ECONNRESET
                if !peerGone { logger.warning("write failed", ["conn": String(id), "error": failure.description]) }
                disconnect(reason: peerGone ? "peer closed the connection" : failure.description)
                break
            }
            queue.didWrite(bytes.count)
        }
        let waiters = state.withLock { state in
            state.writerDone = true
            defer { state.flushWaiters.removeAll() }
            return Array(state.flushWaiters.values)
        }
        for waiter in waiters { waiter.resume(returning: true) }
        threadExited()
    }

    /// Writes every byte, retrying partial writes and EINTR; returns the failure, if any.
    private func writeAll(_ bytes: [UInt8]) -> SystemCallError? {
        bytes.withUnsafeBytes { buffer -> SystemCallError? in
            guard let base = buffer.baseAddress else { return nil }
            var offset = 0
            while offset < buffer.count {
                let written: Int
                if isSocket {
                    // MSG_NOSIGNAL: a vanished peer is an EPIPE error here, never a SIGPIPE.
                    written = Glibc.send(writeFD, base + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                } else {
                    written = write(writeFD, base + offset, buffer.count - offset)
                }
                if written >= 0 {
                    offset += written
                    continue
                }
                let code = lastErrno()
                if code == EINTR { continue }
                return SystemCallError("write to the client", call: isSocket ? "send" : "write", errno: code)
            }
            return nil
        }
    }

    private func threadExited() {
        let last = state.withLock { state in
            state.liveThreads -= 1
            return state.liveThreads == 0
        }
        guard last, ownsDescriptors else { return }
        close(readFD)
        if writeFD != readFD { close(writeFD) }
    }
}
