import Dispatch
import Foundation
import JSON
import JSONRPC
import Locking
package import TaskwireLog
import Transport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Owns the listeners and connections, runs until shutdown, and shuts down through one path.
///
/// Shutdown is requested by stdin reaching EOF (the parent is gone), by SIGTERM or SIGINT, or by
/// ``requestShutdown(_:)``. Whatever the trigger, the server stops accepting connections, lets every
/// connection answer what it already received (cancelling requests still running after the drain timeout),
/// writes queued replies, runs the shutdown hooks in registration order, removes the socket file, and
/// returns the exit status.
package final class Server: Sendable {
    /// Why the server is shutting down.
    package enum ShutdownReason: Sendable, Hashable {
        /// stdin reached EOF.
        case endOfInput
        /// A signal arrived (its name).
        case signal(String)
        /// The stdio peer's byte stream could not be framed.
        case protocolError
        /// Writing to stdout failed or the stdio peer stopped reading.
        case peerGone
        /// The store failed; writes can no longer be made durable.
        case storeFailed
        /// The owner asked.
        case requested
    }

    private struct Entry {
        var connection: Connection
        var session: Session
        var drain: Task<Void, Never>?
    }

    private struct State {
        var connections: [UInt64: Entry] = [:]
        /// Socket connections open now (the stdio connection is not counted against the limit).
        var socketConnections = 0
        /// Connections refused since the count was last under the limit (logged once per episode).
        var refused = 0
        var shuttingDown = false
        var reason: ShutdownReason?
        var waiter: CheckedContinuation<Void, Never>?
        var hooks: [@Sendable () async throws -> Void] = []
        var closeHooks: [@Sendable (UInt64) -> Void] = []
        var openHooks: [@Sendable (UInt64, ConnectionIdentity?, RequestContext.Outbound) -> Void] = []
    }

    private let configuration: ServerConfiguration
    private let dispatcher: Dispatcher
    private let logger: Logger
    private let state = Mutex(State())

    /// A server answering `methods`; nothing runs until ``run(standardOutput:handleSignals:)``.
    ///
    /// With a `gate`, stdio connections start as ``ServerConfiguration/stdioUser`` and socket connections
    /// must log in; without one every connection acts as `system`. `invoker`, when given, is bound to the
    /// server's dispatcher so that methods can call other methods. `forwarding`, on a database other servers
    /// share, hands this server's writes to the writer while it is a read node.
    package init(
        configuration: ServerConfiguration, methods: MethodTable, logger: Logger, gate: AuthGate? = nil,
        invoker: MethodInvoker? = nil, forwarding: WriteForwarding? = nil
    ) {
        self.configuration = configuration
        self.logger = logger
        self.dispatcher = Dispatcher(
            methods: methods, logger: logger.labelled("dispatch"), maxBatchMembers: configuration.maxBatchMembers,
            maxBatchReplyBytes: configuration.connection.maxOutboundBytes, gate: gate, forwarding: forwarding
        )
        invoker?.bind(dispatcher)
    }

    /// Registers work to run once at shutdown, after every reply was sent (for example persisting state).
    package func onShutdown(_ hook: @escaping @Sendable () async throws -> Void) {
        state.withLock { $0.hooks.append(hook) }
    }

    /// Registers work to run when a connection closes or its peer goes away, with the connection's id (for
    /// example ending its event subscriptions). It may run twice for one connection.
    package func onConnectionClosed(_ hook: @escaping @Sendable (UInt64) -> Void) {
        state.withLock { $0.closeHooks.append(hook) }
    }

    /// Registers work to run when a connection opens, with its id, its login state (`nil` without a gate)
    /// and its way out for pushed notifications (for example the inbox push).
    package func onConnectionOpened(
        _ hook: @escaping @Sendable (UInt64, ConnectionIdentity?, RequestContext.Outbound) -> Void
    ) {
        state.withLock { $0.openHooks.append(hook) }
    }

    private func connectionClosed(_ id: UInt64) {
        for hook in state.withLock({ $0.closeHooks }) { hook(id) }
    }

    /// Starts the transports and serves until shutdown; returns the exit status.
    ///
    /// - Parameters:
    ///   - standardOutput: the private protocol descriptor from ``StdioTransport/claimStandardOutput()``,
    ///     required when the configuration serves stdio.
    ///   - handleSignals: whether SIGTERM and SIGINT request shutdown (off in tests that run in-process).
    package func run(standardOutput: Int32? = nil, handleSignals: Bool = true) async -> ExitStatus {
        let signalSources = handleSignals ? installSignalHandlers() : []
        defer { signalSources.forEach { $0.cancel() } }
        var listener: UnixSocketListener?
        if let path = configuration.socketPath {
            do {
                let created = try UnixSocketListener(path: path, logger: logger.labelled("socket"))
                created.start { [self] fd in accept(fd) }
                listener = created
                logger.info("listening", ["socket": path])
            } catch {
                logger.error("cannot listen on the socket: \(error.description)", ["socket": path])
                return .unavailable
            }
        }
        if configuration.stdio, let standardOutput {
            let connection = StdioTransport.connection(
                protocolFD: standardOutput, configuration: configuration.connection,
                logger: logger.labelled("transport")
            )
            attach(connection, primary: true)
        }
        logger.debug("serving", ["transports": configuration.transports.joined(separator: ",")])

        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.shuttingDown { return true }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        let reason = state.withLock { $0.reason } ?? .requested
        logger.info("shutting down", ["reason": describe(reason)])

        await listener?.stop()
        let drains = state.withLock { state in state.connections.keys.map { drainTask(for: $0, in: &state) } }
        for drain in drains { await drain?.value }

        var status = ExitStatus.success
        if reason == .protocolError { status = .dataError }
        for hook in state.withLock({ $0.hooks }) {
            do {
                try await hook()
            } catch {
                logger.error("shutdown hook failed", ["error": String(describing: error)])
                status = .software
            }
        }
        logger.info("stopped", ["exit": String(status.rawValue)])
        return status
    }

    /// Starts shutdown; the first call wins, later ones do nothing. Safe from any thread.
    package func requestShutdown(_ reason: ShutdownReason = .requested) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.shuttingDown else { return nil }
            state.shuttingDown = true
            state.reason = reason
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// The number of open connections (for tests and `server.info` later).
    package var connectionCount: Int { state.withLock { $0.connections.count } }

    private func installSignalHandlers() -> [any DispatchSourceSignal] {
        var sources: [any DispatchSourceSignal] = []
        for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            // The default action must be off, or the signal kills the process before the source sees it.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in requestShutdown(.signal(name)) }
            source.resume()
            sources.append(source)
        }
        return sources
    }

    private func accept(_ fd: Int32) {
        let refusedSoFar = state.withLock { state -> Int? in
            guard state.socketConnections >= configuration.maxConnections else {
                state.refused = 0
                return nil
            }
            state.refused += 1
            return state.refused
        }
        if let refusedSoFar {
            refuse(fd, refusedSoFar: refusedSoFar)
            return
        }
        let connection = Connection(
            readFD: fd, writeFD: fd, ownsDescriptors: true, transport: "unix", configuration: configuration.connection,
            logger: logger.labelled("transport")
        )
        attach(connection, primary: false)
    }

    /// Answers a connection over the limit with one error frame and closes it. The client has sent nothing
    /// yet, so the frame is an NDJSON line; the socket is fresh, so the line fits its buffer at once.
    private func refuse(_ fd: Int32, refusedSoFar: Int) {
        let limit = configuration.maxConnections
        if refusedSoFar == 1 {
            logger.warning(
                "connection limit reached; refusing new connections until one closes", ["limit": String(limit)])
        } else {
            logger.debug("refused a connection over the limit", ["limit": String(limit)])
        }
        let error = ResponseError(
            code: .unavailable,
            message: "The server is at its connection limit (\(limit)); try again when a connection closes.",
            error: "too_many_connections", details: ["max_connections": .int(limit)]
        )
        var line = ResponseEncoder.failure(id: .null, error: error)
        line.append(0x0A)
        _ = line.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
        shutdown(fd, Int32(SHUT_WR))
        close(fd)
    }

    private func attach(_ connection: Connection, primary: Bool) {
        let initial = primary ? ConnectionIdentity.Binding(user: configuration.stdioUser, via: "stdio") : nil
        var context = RequestContext(
            connectionID: connection.id, transport: connection.transport, framing: connection.framing,
            identity: dispatcher.gate == nil ? nil : ConnectionIdentity(initial)
        )
        context.outbound = RequestContext.Outbound(
            send: { [weak connection] body in connection?.send(body) ?? false },
            unwrittenBytes: { [weak connection] in connection?.unwrittenBytes ?? 0 }
        )
        let pause: (@Sendable () -> Void)?
        let resume: (@Sendable () -> Void)?
        if connection.usesEventLoop {
            // The loop thread serves every socket: a flooding client pauses its own connection, never the loop.
            pause = { [weak connection] in connection?.pauseReading() }
            resume = { [weak connection] in connection?.resumeReading() }
        } else {
            (pause, resume) = (nil, nil)
        }
        let session = Session(dispatcher: dispatcher, context: context, pauseReading: pause, resumeReading: resume) {
            [weak connection] body in
            connection?.send(body)
        }
        let accepted = state.withLock { state -> Bool in
            guard !state.shuttingDown else { return false }
            state.connections[connection.id] = Entry(connection: connection, session: session)
            if !primary { state.socketConnections += 1 }
            return true
        }
        guard accepted else {
            // Shutdown began while this client connected: closing the descriptor is the whole answer.
            Task { _ = await connection.finishOutput(timeout: .seconds(1)) }
            connection.start(
                Connection.Handler(received: { _, _ in }, endOfInput: { _, _ in }, disconnected: { _, _ in }))
            return
        }
        logger.debug("connection opened", ["conn": String(connection.id), "transport": connection.transport])
        if let outbound = context.outbound {
            for hook in state.withLock({ $0.openHooks }) { hook(connection.id, context.identity, outbound) }
        }
        connection.start(
            Connection.Handler(
                received: { connection, events in session.receive(events, framing: connection.framing) },
                endOfInput: { [self] connection, reason in
                    inputEnded(connection, reason: reason, primary: primary)
                },
                disconnected: { [self] connection, reason in
                    logger.info("client disconnected", ["conn": String(connection.id), "reason": reason])
                    session.cancelAll()
                    connectionClosed(connection.id)
                    if primary { requestShutdown(.peerGone) }
                }
            )
        )
    }

    private func inputEnded(_ connection: Connection, reason: Connection.EndOfInput, primary: Bool) {
        switch reason {
        case .readFailed(let error):
            logger.warning(
                "reading from the client failed", ["conn": String(connection.id), "error": error.description])
        case .protocolError:
            logger.warning("unusable framing; closing the connection", ["conn": String(connection.id)])
        case .closed, .disconnected:
            logger.debug("end of input", ["conn": String(connection.id)])
        }
        if primary {
            requestShutdown(reason == .protocolError ? .protocolError : .endOfInput)
            return
        }
        _ = state.withLock { drainTask(for: connection.id, in: &$0) }
    }

    /// The one task that drains a connection: answer what was received, flush, close, forget.
    private func drainTask(for id: UInt64, in state: inout State) -> Task<Void, Never>? {
        guard let entry = state.connections[id] else { return nil }
        if let drain = entry.drain { return drain }
        let configuration = self.configuration
        let drain = Task { [self] in
            await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    await entry.session.finishInput()
                    return true
                }
                group.addTask {
                    try? await Task.sleep(for: configuration.drainTimeout)
                    return false
                }
                if await group.next() == false {
                    logger.warning("requests still running at shutdown; cancelling them", ["conn": String(id)])
                    entry.session.cancelAll()
                }
                group.cancelAll()
            }
            let flushed = await entry.connection.finishOutput(timeout: configuration.flushTimeout)
            if !flushed { logger.warning("could not write every queued reply", ["conn": String(id)]) }
            connectionClosed(id)
            logger.debug("connection closed", ["conn": String(id)])
            self.state.withLock { state in
                if state.connections.removeValue(forKey: id) != nil, entry.connection.transport != "stdio" {
                    state.socketConnections -= 1
                }
                // A dictionary never shrinks by removal: after a burst of closes, copy what is left.
                if state.connections.capacity > 1024, state.connections.count * 8 < state.connections.capacity {
                    var kept = [UInt64: Entry](minimumCapacity: state.connections.count)
                    for (key, value) in state.connections { kept[key] = value }
                    state.connections = kept
                }
            }
        }
        state.connections[id]?.drain = drain
        return drain
    }

    private func describe(_ reason: ShutdownReason) -> String {
        switch reason {
        case .endOfInput: "end of input"
        case .signal(let name): name
        case .protocolError: "protocol error"
        case .peerGone: "peer gone"
        case .storeFailed: "store failed"
        case .requested: "requested"
        }
    }
}
