import JSONRPC
import Locking
import TaskwireLog

#if canImport(Glibc)
    import Glibc
#endif

/// The output side and epoll registration of a connection served by the ``EventLoop``.
struct SocketState {
    /// Who may write to the socket now; at most one thread writes at a time, so frames leave in order.
    enum Writer {
        /// Nobody: the next reply is written at once by its sender.
        case idle
        /// A thread is in `send` right now (a sender, or the loop thread draining the queue).
        case writing
        /// The kernel took no more; `EPOLLOUT` is watched and the loop writes the queue when it fires.
        case waiting
    }

    /// Frames waiting, oldest first; the oldest may be partly written.
    var frames = FrameQueue()
    /// Bytes queued or being written and not taken by the kernel yet.
    var pendingBytes = 0
    var writer = Writer.idle
    /// No more frames are accepted; the output is done once the queue is empty.
    var finishing = false
    /// The peer was dropped; queued frames were discarded.
    var aborted = false
    /// Everything queued was written, or dropped by `aborted`.
    var outputDone = false
    /// The handler is set and input may be read.
    var started = false
    var inputEnded = false
    /// Reading stops while the owner cannot keep up (``Connection/pauseReading()``).
    var readPaused = false
    /// The events the kernel watches for the descriptor now; 0 when it is not in the epoll set.
    var registered: UInt32 = 0
    /// The connection is in the loop's table (it is added before its first registration).
    var known = false
    /// The loop was asked to close the descriptor; nothing may touch it any more.
    var closeRequested = false
}

/// The reading state of a loop-served connection.
struct LoopReader {
    var decoder: FrameDecoder
    var handler: Connection.Handler?
}

/// What must happen once the socket lock is released.
struct SocketEffects {
    var outputFinished = false
    var close = false
}

extension Connection {
    /// Whether this connection is served by the event loop (a socket it owns) rather than by two threads.
    package var usesEventLoop: Bool { loop != nil }

    /// Stops reading this connection until ``resumeReading()``: its owner is behind, so the kernel's buffers
    /// fill and the client's writes block, while every other connection is still served. Only a connection
    /// served by the event loop can pause; for others this does nothing.
    package func pauseReading() {
        guard loop != nil else { return }
        let effects = socket.withLock { state in
            state.readPaused = true
            return settle(&state)
        }
        apply(effects)
    }

    /// Reads this connection again after ``pauseReading()``.
    package func resumeReading() {
        guard loop != nil else { return }
        let effects = socket.withLock { state in
            state.readPaused = false
            return settle(&state)
        }
        apply(effects)
    }

    func startOnLoop(_ handler: Handler) {
        reader.withLock { $0.handler = handler }
        let effects = socket.withLock { state in
            state.started = true
            return settle(&state)
        }
        apply(effects)
    }

    func sendOnLoop(_ frame: [UInt8]) -> OutboundQueue.EnqueueResult {
        enum Decision {
            case done(OutboundQueue.EnqueueResult)
            case write((frame: [UInt8], offset: Int))
        }
        let limit = max(1, configuration.maxOutboundBytes)
        let decision = socket.withLock { state -> Decision in
            if state.finishing || state.aborted || state.closeRequested { return .done(.closed) }
            if state.pendingBytes + frame.count > limit, state.pendingBytes > 0 { return .done(.overflow) }
            state.pendingBytes += frame.count
            state.frames.append(frame)
            guard state.writer == .idle, let next = state.frames.next() else { return .done(.queued) }
            state.writer = .writing
            return .write(next)
        }
        switch decision {
        case .done(let result): return result
        case .write(let next):
            drain(first: next)
            return .queued
        }
    }

    func finishOnLoop() {
        let effects = socket.withLock { state in
            state.finishing = true
            return settle(&state)
        }
        apply(effects)
    }

    /// Shuts the socket down both ways (the loop then reads the end of input), unless it is closed already.
    func shutdownOnLoop() {
        socket.withLock { state in
            if !state.closeRequested { shutdown(readFD, Int32(SHUT_RDWR)) }
        }
    }

    func abortOnLoop() {
        let effects = socket.withLock { state in
            state.aborted = true
            state.frames.removeAll()
            state.pendingBytes = 0
            if state.writer == .waiting { state.writer = .idle }
            if !state.closeRequested { shutdown(readFD, Int32(SHUT_RDWR)) }
            return settle(&state)
        }
        apply(effects)
    }

    /// Handles what epoll reported for this connection, on the loop thread; `buffer` is the loop's.
    func handleLoopEvents(_ events: UInt32, buffer: UnsafeMutableRawBufferPointer) {
        let failed = Epoll.error | Epoll.hangUp
        if events & (Epoll.output | failed) != 0 { writeWhenReady() }
        if events & (Epoll.input | failed) != 0 { readOnce(into: buffer) }
    }

    /// Closes the descriptor, on the loop thread; it already left the epoll set.
    func closeDescriptorOnLoop() {
        close(readFD)
    }

    private func readOnce(into buffer: UnsafeMutableRawBufferPointer) {
        let readable = socket.withLock { $0.started && !$0.inputEnded && !$0.readPaused && !$0.closeRequested }
        guard readable else { return }
        var count: Int
        repeat {
            count = read(readFD, buffer.baseAddress, buffer.count)
        } while count < 0 && lastErrno() == EINTR
        if count < 0 {
            let code = lastErrno()
            if code == EAGAIN || code == EWOULDBLOCK { return }
            if isDisconnected {
                endInput(.disconnected)
            } else if code == ECONNRESET {
                endInput(.closed)
            } else {
                endInput(.readFailed(SystemCallError("read from the client", call: "read", errno: code)))
            }
            return
        }
        let handler = reader.withLock { $0.handler }
        if count == 0 {
            if isDisconnected {
                endInput(.disconnected)
            } else {
                reader.withLock { finishInput(&$0.decoder, handler: handler) }
                endInput(.closed)
            }
            return
        }
        var events: [FrameEvent] = []
        let bytes = UnsafeBufferPointer(start: buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), count: count)
        let (decided, failed) = reader.withLock { reader -> (Framing?, Bool) in
            let known = reader.decoder.framing
            reader.decoder.push(bytes, into: &events)
            return (known == nil ? reader.decoder.framing : nil, reader.decoder.hasFailed)
        }
        if let decided {
            framingDecided(decided)
            logger.debug("framing detected", ["conn": String(id), "framing": decided.rawValue])
        }
        if !events.isEmpty { handler?.received(self, events) }
        if failed { endInput(.protocolError) }
    }

    private func endInput(_ reason: EndOfInput) {
        let effects = socket.withLock { state in
            state.inputEnded = true
            return settle(&state)
        }
        reader.withLock { $0.handler }?.endOfInput(self, reason)
        apply(effects)
    }

    /// The loop saw the socket writable (or failed): writes the queue if it was waiting for that.
    private func writeWhenReady() {
        let next = socket.withLock { state -> (frame: [UInt8], offset: Int)? in
            guard state.writer == .waiting, let next = state.frames.next() else { return nil }
            state.writer = .writing
            return next
        }
        if let next { drain(first: next) }
    }

    /// Writes `first` (the oldest queued bytes) and then whatever was queued meanwhile, until the queue
    /// is empty or the kernel takes no more; the caller holds the writer role.
    private func drain(first: (frame: [UInt8], offset: Int)) {
        var chunk = first
        while true {
            let outcome = Self.sendWithoutBlocking(readFD, chunk.frame, from: chunk.offset)
            var failure: Int32?
            let (next, effects) = socket.withLock { state -> ((frame: [UInt8], offset: Int)?, SocketEffects) in
                let written: Int
                switch outcome {
                case .failed(let code):
                    if !state.aborted { failure = code }
                    state.writer = .idle
                    return (nil, settle(&state))
                case .written(let count):
                    written = count
                }
                if state.aborted {
                    state.writer = .idle
                    return (nil, settle(&state))
                }
                state.pendingBytes -= written
                state.frames.consume(written)
                if written < chunk.frame.count - chunk.offset {
                    state.writer = .waiting
                    return (nil, settle(&state))
                }
                guard let next = state.frames.next() else {
                    state.writer = .idle
                    return (nil, settle(&state))
                }
                return (next, SocketEffects())
            }
            apply(effects)
            if let failure {
                let peerGone = failure == EPIPE || failure == ECONNRESET
                let error = SystemCallError("write to the client", call: "send", errno: failure)
                if !peerGone { logger.warning("write failed", ["conn": String(id), "error": error.description]) }
                disconnect(reason: peerGone ? "peer closed the connection" : error.description)
                return
            }
            guard let next else { return }
            chunk = next
        }
    }

    private enum SendOutcome {
        case written(Int)
        case failed(Int32)
    }

    private static func sendWithoutBlocking(_ fd: Int32, _ bytes: [UInt8], from offset: Int) -> SendOutcome {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress, offset < buffer.count else { return .written(0) }
            while true {
                // MSG_NOSIGNAL: a vanished peer is an EPIPE error here, never a SIGPIPE.
                let sent = Glibc.send(
                    fd, base + offset, buffer.count - offset, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                if sent >= 0 { return .written(sent) }
                let code = lastErrno()
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { return .written(0) }
                return .failed(code)
            }
        }
    }

    /// Brings the derived state up to date after a change, under the socket lock: whether the output just
    /// finished, whether the descriptor can be closed, and which events the kernel should watch.
    private func settle(_ state: inout SocketState) -> SocketEffects {
        var effects = SocketEffects()
        if !state.outputDone, state.writer != .writing,
            state.aborted || (state.finishing && state.frames.isEmpty && state.writer == .idle)
        {
            state.outputDone = true
            effects.outputFinished = true
        }
        if state.inputEnded, state.outputDone, state.writer != .writing, !state.closeRequested {
            state.closeRequested = true
            effects.close = true
        }
        var mask: UInt32 = 0
        if !state.closeRequested {
            if state.started, !state.inputEnded, !state.readPaused { mask |= Epoll.input }
            if state.writer == .waiting { mask |= Epoll.output }
        }
        guard let loop, mask != state.registered else { return effects }
        if !state.known, mask != 0 {
            loop.add(self)
            state.known = true
        }
        state.registered = loop.watch(fd: readFD, id: id, mask: mask, registered: state.registered)
        return effects
    }

    private func apply(_ effects: SocketEffects) {
        if effects.outputFinished { outputFinished() }
        if effects.close {
            if let loop, socket.withLock({ $0.known }) {
                loop.close(self)
            } else {
                close(readFD)
            }
        }
    }
}
