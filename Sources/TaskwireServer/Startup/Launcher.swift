import Delivery
import Foundation
import JSON
import JSONRPC
import Locking
import PostgresStore
import TaskEngine
import TaskStore
import TaskwireLog
import Transport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything `main.swift` does: parse the command line, set up the process, serve, return the exit status.
package enum Launcher {
    /// Runs taskwire with the arguments after the program name.
    package static func main(arguments: [String], environment: [String: String]) async -> Int32 {
        // A vanished peer must be an EPIPE error on write, never a signal that kills the process.
        signal(SIGPIPE, SIG_IGN)
        let command: Command
        do {
            command = try CommandLineOptions.parse(arguments, environment: environment)
        } catch {
            writeStandardError("taskwire: \(error.message)\n")
            return ExitStatus.usage.rawValue
        }
        switch command {
        case .help:
            writeStandardOutput(CommandLineOptions.usage + "\n" + MaintenanceCommand.usage)
            return ExitStatus.success.rawValue
        case .usage(let text):
            writeStandardOutput(text)
            return ExitStatus.success.rawValue
        case .version:
            writeStandardOutput("taskwire \(TaskwireVersion.current)\n")
            return ExitStatus.success.rawValue
        case .maintenance(let maintenance):
            return await maintenance.run(logger: Logger(label: "taskwire", level: .warning))
        case .serve(let options):
            return await serve(options).rawValue
        case .token(let options):
            return await TokenCommand.run(options).rawValue
        case .basic(let options):
            return await BasicCommand.run(options)
        }
    }

    /// Raises the soft limit on open descriptors to the hard limit: every socket client holds one.
    static func raiseDescriptorLimit(logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        let soft = limit.rlim_cur
        limit.rlim_cur = limit.rlim_max
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 {
            logger.warning(
                "cannot raise the open-file limit",
                ["soft": String(soft), "hard": String(limit.rlim_max), "error": String(cString: strerror(errno))]
            )
        }
    }

    static func serve(_ options: ServeOptions) async -> ExitStatus {
        var protocolFD: Int32?
        if options.stdio {
            do {
                protocolFD = try StdioTransport.claimStandardOutput()
            } catch {
                writeStandardError("taskwire: \(error.description)\n")
                return .unavailable
            }
        }
        let logger = Logger(label: "taskwire", level: options.logLevel)
        var configuration = ServerConfiguration(
            stdio: options.stdio,
            socketPath: options.socketPath,
            connection: Connection.Configuration(
                framing: options.framing, maxFrameBytes: options.maxFrameBytes,
                maxOutboundBytes: options.maxOutboundBytes
            ),
            maxBatchMembers: options.maxBatchMembers
        )
        configuration.stdioUser = options.stdioUser
        raiseDescriptorLimit(logger: logger)
        configuration.maxConnections = options.maxConnections ?? ServerConfiguration.defaultMaxConnections
        var info = ServerInfo(
            transports: configuration.transports,
            dataDirectory: options.dataDirectory,
            storage: options.postgres != nil ? "postgresql" : nil,
            durability: options.durability.rawValue,
            limits: [
                "max_frame_bytes": .int(options.maxFrameBytes),
                "max_header_bytes": .int(configuration.connection.maxHeaderBytes),
                "max_outbound_bytes": .int(options.maxOutboundBytes),
                "max_batch_members": .int(options.maxBatchMembers),
                "max_connections": .int(configuration.maxConnections),
                "rate_limits": .object(
                    JSONObject(
                        options.rateLimits.limits.sorted { $0.key < $1.key }.map {
                            (key: $0.key, value: .string($0.value.description))
                        })),
                "max_attachment_bytes": .int(options.maxAttachmentBytes),
            ]
        )
        let failedStore = Mutex<StoreError?>(nil)
        let serverBox = Mutex<Server?>(nil)
        let opened: StoreBootstrap
        let opening = ContinuousClock.now
        do {
            // Recovery reads and fsyncs files: it runs on a thread of its own, not the concurrency pool.
            let result = await runBlocking { () -> Result<StoreBootstrap, StoreBootstrap.Failure> in
                Result { () throws(StoreBootstrap.Failure) in
                    try StoreBootstrap.open(
                        dataDirectory: options.dataDirectory,
                        postgres: options.postgres,
                        follows: true,
                        durability: options.durability,
                        logger: logger.labelled("store"),
                        maxAttachmentBytes: options.maxAttachmentBytes,
                        reminderLeadSeconds: options.remindBeforeMinutes > 0
                            ? Int64(options.remindBeforeMinutes) * 60 : nil,
                        onStoreFailure: { error in
                            // Never retried (a failed fsync may have dropped pages): stop taking writes and exit.
                            logger.error("the store failed; shutting down", ["error": error.description])
                            failedStore.withLock { $0 = error }
                            serverBox.withLock { $0 }?.requestShutdown(.storeFailed)
                        }
                    )
                }
            }
            opened = try result.get()
        } catch {
            writeStandardError("taskwire: \(error.message)\n")
            return ExitStatus(rawValue: error.status) ?? .software
        }
        let openedAfter = ContinuousClock.now - opening
        let engine = opened.engine
        if options.stdio, !(await engine.userExists(options.stdioUser)) {
            writeStandardError(
                "taskwire: --stdio-user \(options.stdioUser) does not exist; create it first (users.upsert, or "
                    + "taskwire token create --user \(options.stdioUser) --role ROLE).\n")
            await runBlocking { opened.store.close() }
            return .usage
        }
        let events = EventHub(
            engine: engine, limits: EventHub.Limits(retention: options.eventRetention),
            logger: logger.labelled("events"))
        info.addSection("counts") {
            [
                "tasks": .int(await engine.taskCount), "last_seq": .number(String(await engine.lastSeq)),
                "subscriptions": .int(events.subscriptionCount),
            ]
        }
        let methods: MethodTable
        let invoker = MethodInvoker()
        let mcp = MCPSessions()
        do {
            methods = try MethodTable.product(info: info, engine: engine, events: events, invoker: invoker, mcp: mcp)
        } catch {
            logger.error("cannot build the method table: \(error.message)")
            opened.store.close()
            return .software
        }
        let taskCount = await engine.taskCount
        let lastSeq = await engine.lastSeq
        logger.info(
            "starting",
            [
                "version": TaskwireVersion.current, "pid": String(getpid()),
                "transports": configuration.transports.joined(separator: ","),
                "data_dir": options.dataDirectory ?? (options.postgres != nil ? "postgres" : "memory"),
                "durability": options.durability.rawValue,
                "tasks": String(taskCount), "last_seq": String(lastSeq),
                "recovery_ms": String(
                    openedAfter.components.seconds * 1_000 + openedAfter.components.attoseconds / 1_000_000_000_000_000),
            ]
        )
        // A read node (another server writes the database) leaves due dates and deliveries to the writer
        // until it takes over.
        let readNode = (opened.store as? any FollowingStore).flatMap { $0.isFollowing ? $0 : nil }
        // Due dates that passed while the server was down fire now, after the replay and before serving.
        if readNode == nil { await engine.startScheduler() }
        let gate = AuthGate(engine: engine, rateLimits: options.rateLimits)
        let rateExchange = shareRateLimits(gate: gate, options: options, logger: logger)
        let shared = opened.store as? any ForwardingStore
        let server = Server(
            configuration: configuration, methods: methods, logger: logger, gate: gate, invoker: invoker,
            forwarding: shared.map(WriteForwarding.init(store:)))
        serverBox.withLock { $0 = server }
        // The writes read nodes forward run here while this server writes (from the start, or once it takes over).
        shared?.serveForwarded { request, abandoned in
            await WriteForwarding.run(request, abandoned: abandoned, invoker: invoker)
        }
        server.onConnectionClosed { events.connectionClosed($0) }
        server.onConnectionClosed { mcp.connectionClosed($0) }
        let push = InboxPush(engine: engine)
        server.onConnectionOpened { push.connectionOpened($0, identity: $1, outbound: $2) }
        server.onConnectionClosed { push.connectionClosed($0) }
        let deliveries = DeliveryWorker(
            engine: engine, channels: deliveryChannels(options: options), schedule: options.deliveryRetry,
            logger: logger.labelled("delivery"))
        if readNode == nil { await deliveries.start() }
        let store = opened.store
        server.onShutdown {
            push.stop()
            await deliveries.stop()
        }
        server.onShutdown { await runBlocking { rateExchange?.close() } }
        server.onShutdown {
            // No reminder may be appended once the store closes.
            await engine.stopScheduler()
            // Blocking: make everything answered durable and release the directory lock, off the pool.
            await runBlocking { store.close() }
        }
        if let readNode {
            logger.info(
                "serving reads: another taskwire writes this database; writes go to it until this one takes over",
                ["last_seq": String(lastSeq)])
            readNode.follow(
                apply: { records in
                    blocking(logger) { () async throws(EngineError) in try await engine.applyReplicated(records) }
                },
                reload: { snapshot, records in
                    blocking(logger) { () async throws(EngineError) in
                        try await engine.applyReplicated(snapshot: snapshot, records: records)
                    }
                },
                promoted: {
                    Task {
                        await engine.startScheduler()
                        await deliveries.start()
                    }
                })
        }
        let status = await server.run(standardOutput: protocolFD)
        if let failure = failedStore.withLock({ $0 }) {
            logger.error("exiting after a store failure", ["error": failure.description])
            return ExitStatus(rawValue: failure.code.exitCode) ?? .ioError
        }
        return status
    }

    /// Applies what the writer committed to a read node's engine (`body`), blocking the store's follower
    /// thread until it is (so the rows are applied in order, and a promotion waits for the last ones); `false`
    /// when the engine cannot understand it, which stops the server.
    static func blocking(
        _ logger: Logger, _ body: @escaping @Sendable () async throws(EngineError) -> Void
    ) -> Bool {
        let outcome = Mutex<Bool?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let applied: Bool
            do throws(EngineError) {
                try await body()
                applied = true
            } catch {
                logger.error("cannot apply the records another taskwire committed", ["error": error.message])
                applied = false
            }
            outcome.withLock { $0 = applied }
            done.signal()
        }
        done.wait()
        return outcome.withLock { $0 } ?? false
    }

    /// On a shared PostgreSQL database, reports this server's rate-limited calls to the other servers and
    /// counts theirs, so a user's limits hold for the whole fleet (reads included: writes are counted by the
    /// writer already). Nil without a database or with the limits off; a failure to start only warns, and the
    /// limits then count this server's calls alone.
    static func shareRateLimits(gate: AuthGate, options: ServeOptions, logger: Logger) -> PostgresRateExchange? {
        guard let conninfo = options.postgres, let limiter = gate.limiter else { return nil }
        do {
            return try PostgresRateExchange(
                conninfo: conninfo, local: { limiter.shareCalls(now: gate.now) },
                received: { limiter.receiveSharedCalls($0, now: gate.now) }, onWarning: { logger.warning($0) })
        } catch {
            logger.warning("rate limits count this server's calls only: \(error)")
            return nil
        }
    }

    /// The outside channels the delivery worker sends email and webhook notifications over: the one place
    /// where they are chosen from the options. Email goes to the `--sendmail` command when one is given,
    /// else into the `--outbox` directory or `<data-dir>/outbox/`; a server with neither (`--in-memory`,
    /// `--postgres`) has nowhere to put the files, so its emails are given up with a reason saying so (the
    /// inbox then shows them `failed`). Webhooks are POSTed announcing the server's version.
    static func deliveryChannels(options: ServeOptions) -> [any DeliveryChannel] {
        let sender = options.mailFrom ?? .defaultSender
        let email: any DeliveryChannel
        if let command = options.sendmailCommand {
            email = SendmailChannel(command: command, sender: sender)
        } else if let outbox = options.outboxDirectory ?? options.dataDirectory.map(outboxDirectory(dataDirectory:)) {
            email = OutboxChannel(directory: outbox, sender: sender)
        } else {
            let keeper = options.postgres != nil ? "--postgres" : "--in-memory"
            email = UnavailableChannel(
                name: "email",
                reason: "the server keeps no data directory (\(keeper)), so there is no outbox to write emails "
                    + "into; start it with --outbox DIR or --sendmail to send them")
        }
        return [email, WebhookChannel(version: TaskwireVersion.current)]
    }

    /// Where the outbox channel writes `.eml` files: `<data-dir>/outbox`.
    static func outboxDirectory(dataDirectory: String) -> String {
        (dataDirectory.hasSuffix("/") ? dataDirectory : dataDirectory + "/") + "outbox"
    }

    private static func writeStandardOutput(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    private static func writeStandardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
