import JSON
package import JSONRPC
import Locking
import TaskStore
import TaskwireLog

/// The JSON-RPC state of one connection: what it sent, in what order it runs, and where replies go.
///
/// The reader thread calls ``receive(_:framing:)`` with everything decoded from one read; the session
/// parses and classifies it right there, handles `$/cancelRequest` at once (out of band, so a cancellation
/// is seen even while the connection's requests are busy), and hands the rest to one processing task in a
/// single hop. That task runs single requests one after another in arrival order, awaiting each handler
/// before starting the next, so a client that pipelines create-then-update sees them applied in order.
/// Members of a batch run concurrently and are answered with one array. A single reply whose result
/// carries a commit ticket is encoded at once and registered with the ticket, to be sent by the store's
/// writer thread right after the sync; a batch that waits for tickets goes to a second task. Durability
/// waits are thus pipelined, and such replies may overtake or trail the replies of later requests.
package final class Session: Sendable {
    /// One request ready to run.
    private struct Call: Sendable {
        var token: UInt64
        var id: RequestID
        var method: String
        var params: JSONValue?
    }

    private enum Work: Sendable {
        case request(Call)
        case notification(method: String, params: JSONValue?)
        case batch([BatchMember])
        /// An error reply decided on the reader thread (a parse error, an invalid request).
        case reply([UInt8])
    }

    private enum BatchMember: Sendable {
        case request(Call)
        case notification(method: String, params: JSONValue?)
        case reply([UInt8])
    }

    /// A reply that waits for commit tickets before it is sent.
    private enum Deferred: Sendable {
        /// One batch reply, sent when every member's ticket completed.
        case batch([DeferredPart])
    }

    private enum DeferredPart: Sendable {
        case encoded([UInt8])
        case pending(id: RequestID, result: JSONValue, ticket: CommitTicket?)
    }

    private struct State {
        var context: RequestContext
        var accepting = true
    }

    /// The state shared by the reader thread and the processing task (a class, so both can hold it).
    private final class SharedState: Sendable {
        let mutex: Mutex<State>
        init(_ state: State) { mutex = Mutex(state) }
        func withLock<Result>(_ body: (inout State) -> Result) -> Result { mutex.withLock { body(&$0) } }
    }

    /// Where one encoded reply body goes (the connection's outbound queue).
    package typealias Sink = @Sendable (_ body: [UInt8]) -> Void

    private let dispatcher: Dispatcher
    private let sink: Sink
    private let inFlight = InFlightRequests()
    /// Received messages not processed yet, bounded so that a flooding client is read no faster than served.
    private let backlog: Backlog
    /// The most received messages that may wait to be processed before the reader stops reading.
    package static let maxBacklog = 10_000
    /// Replies registered with their tickets and not sent yet, so ``finishInput()`` can wait for them.
    private let durabilityWaits = PendingReplies()
    private let state: SharedState
    private let work: AsyncStream<[Work]>.Continuation
    private let deferred: AsyncStream<Deferred>.Continuation
    private let processor: Task<Void, Never>
    private let waiter: Task<Void, Never>

    /// A session answering through `sink`; calls carry `context` (its framing is kept up to date).
    ///
    /// With `pauseReading` and `resumeReading`, a flooding client is held back by pausing its connection
    /// rather than by blocking the thread that calls ``receive(_:framing:)``: the way for a connection
    /// served by an event loop, whose thread serves every other connection too.
    package init(
        dispatcher: Dispatcher, context: RequestContext,
        pauseReading: (@Sendable () -> Void)? = nil, resumeReading: (@Sendable () -> Void)? = nil,
        sink: @escaping Sink
    ) {
        self.dispatcher = dispatcher
        self.sink = sink
        self.state = SharedState(State(context: context))
        let (workStream, work) = AsyncStream<[Work]>.makeStream()
        let (deferredStream, deferred) = AsyncStream<Deferred>.makeStream()
        self.work = work
        self.deferred = deferred
        let inFlight = self.inFlight
        let durabilityWaits = self.durabilityWaits
        var flow: Backlog.FlowControl?
        if let pauseReading, let resumeReading {
            flow = Backlog.FlowControl(pause: pauseReading, resume: resumeReading)
        }
        let backlog = Backlog(limit: Self.maxBacklog, flow: flow)
        self.backlog = backlog
        let state = self.state
        self.processor = Task {
            for await items in workStream {
                let context = state.withLock { $0.context }
                for item in items {
                    await Session.run(
                        item, dispatcher: dispatcher, context: context, inFlight: inFlight, sink: sink,
                        deferred: deferred, durabilityWaits: durabilityWaits
                    )
                    backlog.remove()
                }
            }
        }
        self.waiter = Task {
            for await reply in deferredStream {
                await Session.deliver(reply, sink: sink, dispatcher: dispatcher)
            }
        }
    }

    /// The requests received and not yet answered.
    package var pendingRequests: Int { inFlight.count }

    /// Takes everything decoded from one read, on the reader's thread. Blocks only while more than
    /// ``maxBacklog`` received messages wait to be processed (backpressure on a flooding client), unless
    /// the session pauses its connection's reading instead.
    package func receive(_ events: [FrameEvent], framing: Framing? = nil) {
        var items: [Work] = []
        for event in events {
            switch event {
            case .error(let error):
                dispatcher.logger.info("framing error", ["conn": connectionID, "error": error.message])
                items.append(.reply(ResponseEncoder.failure(id: .null, error: error.responseError)))
            case .frame(let body):
                switch IncomingBody.classify(body, maxBatchMembers: dispatcher.maxBatchMembers) {
                case .failure(let error):
                    items.append(.reply(ResponseEncoder.failure(id: .null, error: error)))
                case .single(let message):
                    if let item = prepare(message) { items.append(item) }
                case .batch(let messages):
                    let members = messages.compactMap(prepareMember)
                    if !members.isEmpty { items.append(.batch(members)) }
                }
            }
        }
        guard !items.isEmpty else { return }
        let accepting = state.withLock { state in
            if let framing, state.context.framing != framing { state.context.framing = framing }
            return state.accepting
        }
        if accepting {
            work.yield(items)
            backlog.add(items.count)
        } else {
            refuse(items)
        }
    }

    /// Takes one frame body (a convenience for tests and in-memory use).
    package func receive(body: [UInt8]) {
        receive([.frame(body)])
    }

    /// No more input will be processed: waits until every received request is answered (including
    /// durability waits). Later input is answered with 503 `unavailable`. Safe to call more than once.
    package func finishInput() async {
        state.withLock { $0.accepting = false }
        backlog.close()
        work.finish()
        await processor.value
        await durabilityWaits.drained()
        deferred.finish()
        await waiter.value
    }

    /// Cancels every unanswered request: they answer -32800 (or, for a write already made, its result).
    package func cancelAll() {
        inFlight.cancelAll()
    }

    private var connectionID: String { String(state.withLock { $0.context.connectionID }) }

    private func prepare(_ message: Incoming) -> Work? {
        switch message {
        case .request(let id, let method, let params):
            if method.hasPrefix("$/") {
                return .reply(ResponseEncoder.failure(id: id, error: .methodNotFound(method)))
            }
            return .request(Call(token: inFlight.register(id), id: id, method: method, params: params))
        case .notification(let method, let params):
            guard handleOutOfBand(method: method, params: params) else { return nil }
            return .notification(method: method, params: params)
        case .response(let id):
            dispatcher.logger.debug("ignored a response from the client", ["id": id?.description ?? "none"])
            return nil
        case .invalid(let id, let error):
            return .reply(ResponseEncoder.failure(id: id, error: error))
        }
    }

    private func prepareMember(_ message: Incoming) -> BatchMember? {
        switch prepare(message) {
        case .request(let call)?: .request(call)
        case .notification(let method, let params)?: .notification(method: method, params: params)
        case .reply(let body)?: .reply(body)
        case .batch?, nil: nil
        }
    }

    /// Handles `$/` notifications and MCP's `notifications/cancelled` on the reader thread; returns whether
    /// the notification still needs to run.
    private func handleOutOfBand(method: String, params: JSONValue?) -> Bool {
        if method == "notifications/cancelled" {
            // MCP's spelling of `$/cancelRequest`: the same cancellation, by `requestId`. Malformed ones are
            // ignored, as MCP asks.
            if let raw = params?["requestId"], let id = RequestID(raw) {
                let cancelled = inFlight.cancel(id)
                dispatcher.logger.debug(
                    "cancel request", ["conn": connectionID, "id": id.description, "found": String(cancelled)])
            }
            return false
        }
        guard method.hasPrefix("$/") else { return true }
        if method == "$/cancelRequest" {
            guard let raw = params?["id"], let id = RequestID(raw) else {
                dispatcher.logger.debug("ignored $/cancelRequest without a valid id", ["conn": connectionID])
                return false
            }
            let cancelled = inFlight.cancel(id)
            dispatcher.logger.debug(
                "cancel request",
                ["conn": connectionID, "id": id.description, "found": String(cancelled)]
            )
        }
        return false
    }

    /// Answers requests that arrived after shutdown began with 503.
    private func refuse(_ items: [Work]) {
        func refusal(_ call: Call) -> [UInt8] {
            inFlight.finish(call.token)
            return ResponseEncoder.failure(id: call.id, error: Dispatcher.shuttingDown)
        }
        for item in items {
            switch item {
            case .request(let call): sink(refusal(call))
            case .reply(let body): sink(body)
            case .notification: break
            case .batch(let members):
                var bodies: [[UInt8]] = []
                for member in members {
                    switch member {
                    case .request(let call): bodies.append(refusal(call))
                    case .reply(let body): bodies.append(body)
                    case .notification: break
                    }
                }
                if !bodies.isEmpty { sink(ResponseEncoder.batch(bodies)) }
            }
        }
    }

    private static func run(
        _ item: Work, dispatcher: Dispatcher, context: RequestContext, inFlight: InFlightRequests,
        sink: @escaping Sink,
        deferred: AsyncStream<Deferred>.Continuation, durabilityWaits: PendingReplies
    ) async {
        switch item {
        case .reply(let body):
            sink(body)
        case .notification(let method, let params):
            if dispatcher.methods.declaration(for: method) != nil {
                _ = await dispatcher.call(method, params: params, context: context)
            }
        case .request(let call):
            let outcome: Dispatcher.Outcome?
            if inFlight.isCancelled(call.token) {
                outcome = nil
            } else if dispatcher.methods.declaration(for: call.method)?.runsLong == true {
                outcome = await start(call, dispatcher: dispatcher, context: context, inFlight: inFlight)?.value
            } else {
                outcome = await dispatcher.call(call.method, params: call.params, context: context)
            }
            switch settle(call, outcome: outcome, inFlight: inFlight) {
            case .encoded(let body): sink(body)
            case .pending(let id, let result, let ticket?):
                // Encoded now; sent by whoever learns of the durability first (the store's writer thread,
                // right after the sync), without a hop through the concurrency pool.
                let body = ResponseEncoder.success(id: id, result: result)
                durabilityWaits.begin()
                ticket.whenDurable { outcome in
                    switch outcome {
                    case .success: sink(body)
                    case .failure: sink(ResponseEncoder.failure(id: id, error: Dispatcher.storeFailed))
                    }
                    durabilityWaits.end()
                }
            case .pending(let id, let result, nil): sink(ResponseEncoder.success(id: id, result: result))
            }
        case .batch(let members):
            await runBatch(
                members, dispatcher: dispatcher, context: context, inFlight: inFlight, sink: sink, deferred: deferred)
        }
    }

    private static func runBatch(
        _ members: [BatchMember], dispatcher: Dispatcher, context: RequestContext, inFlight: InFlightRequests,
        sink: Sink, deferred: AsyncStream<Deferred>.Continuation
    ) async {
        enum Running {
            case done([UInt8])
            case request(Call, Task<Dispatcher.Outcome, Never>?)
            case notification(Task<Dispatcher.Outcome, Never>)
        }
        let running: [Running] = members.map { member in
            switch member {
            case .reply(let body):
                return .done(body)
            case .request(let call):
                return .request(call, start(call, dispatcher: dispatcher, context: context, inFlight: inFlight))
            case .notification(let method, let params):
                return .notification(Task { await dispatcher.call(method, params: params, context: context) })
            }
        }
        var parts: [DeferredPart] = []
        var needsWait = false
        for entry in running {
            switch entry {
            case .done(let body):
                parts.append(.encoded(body))
            case .notification(let task):
                _ = await task.value
            case .request(let call, let task):
                let outcome = await task?.value
                let part = settle(call, outcome: outcome, inFlight: inFlight)
                if case .pending(_, _, _?) = part { needsWait = true }
                parts.append(part)
            }
        }
        guard !parts.isEmpty else { return }
        if needsWait {
            deferred.yield(.batch(parts))
        } else {
            await deliver(.batch(parts), sink: sink, dispatcher: dispatcher)
        }
    }

    /// Starts the handler in its own task so `$/cancelRequest` can cancel it; nil when already cancelled.
    private static func start(
        _ call: Call, dispatcher: Dispatcher, context: RequestContext, inFlight: InFlightRequests
    ) -> Task<Dispatcher.Outcome, Never>? {
        guard !inFlight.isCancelled(call.token) else { return nil }
        let task = Task { await dispatcher.call(call.method, params: call.params, context: context) }
        inFlight.attach(call.token, task: task)
        return task
    }

    /// Decides the reply of a finished (or never started) call.
    ///
    /// A cancelled call answers -32800, unless its handler already made a write (its result carries a
    /// ticket): then the real result is sent, because the write happened.
    private static func settle(
        _ call: Call, outcome: Dispatcher.Outcome?, inFlight: InFlightRequests
    )
        -> DeferredPart
    {
        let cancelled = inFlight.finish(call.token)
        switch outcome {
        case .success(let result, let ticket?)?:
            return .pending(id: call.id, result: result, ticket: ticket)
        case .success(let result, nil)? where !cancelled:
            return .pending(id: call.id, result: result, ticket: nil)
        case .failure(let error)? where !cancelled:
            return .encoded(ResponseEncoder.failure(id: call.id, error: error))
        case nil, .success?, .failure?:
            return .encoded(ResponseEncoder.failure(id: call.id, error: .requestCancelled))
        }
    }

    private static func deliver(_ reply: Deferred, sink: Sink, dispatcher: Dispatcher) async {
        switch reply {
        case .batch(let parts):
            var bodies: [[UInt8]] = []
            bodies.reserveCapacity(parts.count)
            var size = 2
            var tooLarge = false
            for part in parts {
                // Every member's durability is still awaited, so the 413 goes out only after the batch's
                // writes are durable too, like any other answer about them.
                let body = await encode(part)
                guard !tooLarge else { continue }
                size += body.count + 1
                if size > dispatcher.maxBatchReplyBytes {
                    tooLarge = true
                    bodies = []
                } else {
                    bodies.append(body)
                }
            }
            if tooLarge {
                dispatcher.logger.info("batch reply too large", ["max_bytes": String(dispatcher.maxBatchReplyBytes)])
                sink(ResponseEncoder.failure(id: .null, error: dispatcher.batchReplyTooLarge()))
            } else {
                sink(ResponseEncoder.batch(bodies))
            }
        }
    }

    private static func encode(_ part: DeferredPart) async -> [UInt8] {
        switch part {
        case .encoded(let body):
            return body
        case .pending(let id, let result, let ticket):
            do {
                try await ticket?.wait()
                return ResponseEncoder.success(id: id, result: result)
            } catch {
                return ResponseEncoder.failure(id: id, error: Dispatcher.storeFailed)
            }
        }
    }
}
