import Dispatch
import Foundation
import FoundationNetworking
import JSON
import Locking

/// The `webhook` channel: each notification is POSTed as JSON to the URL the recipient registered, signed
/// with its secret.
///
/// The body is one compact JSON object, `{"delivery_id", "event_type", "event_id", "occurred_at",
/// "notification"}`, the last being the notification as `notifications.list` returns it (see
/// ``body(for:)``). Headers: `Content-Type: application/json`, `User-Agent: taskwire/<version>`,
/// `X-Taskwire-Delivery: <delivery id>` (the same for every attempt: a receiver deduplicates by it),
/// `X-Taskwire-Event: <event type>` and `X-Taskwire-Signature: sha256=<hex>`, the lowercase hex
/// HMAC-SHA256 of the exact body bytes under the secret.
///
/// Outcomes: a 2xx answer is ``DeliveryOutcome/delivered``. 408, 425, 429, any 5xx, a network failure and
/// no answer within ``timeout`` are ``DeliveryOutcome/retry(reason:)``. Redirects are not followed (a signed
/// body must not be sent on to another address, and a POST turned into a GET would be lost): a 3xx, like any
/// other 4xx, is ``DeliveryOutcome/giveUp(reason:)``, and so is a URL that is not `http` or `https` with a
/// host. Anything else (1xx, a status over 599) is retried.
package struct WebhookChannel: DeliveryChannel {
    /// `webhook`, the channel a configuration names.
    package var name: String { "webhook" }
    /// The server's version, sent in `User-Agent`.
    package let version: String
    /// How long one POST may take, connecting included.
    package let timeout: Duration
    private let transport: Transport

    /// A channel announcing itself as `taskwire/<version>`; `timeout` bounds each POST.
    package init(version: String, timeout: Duration = .seconds(10)) {
        self.version = version
        self.timeout = timeout
        transport = Transport()
    }

    /// The exact bytes POSTed for `notification`.
    package static func body(for notification: OutgoingNotification) -> [UInt8] {
        var object = JSONObject()
        object.append("delivery_id", .string(notification.deliveryID))
        object.append("event_type", .string(notification.eventType))
        object.append("event_id", .string(notification.eventID))
        object.append("occurred_at", .string(notification.occurredAt))
        object.append("notification", notification.payload)
        return JSONWriter.bytes(.object(object))
    }

    /// The `X-Taskwire-Signature` value for `body` under `secret`: `sha256=` and 64 lowercase hex digits.
    package static func signature(of body: [UInt8], secret: String) -> String {
        "sha256=" + HMACSHA256.hexCode(key: Array(secret.utf8), message: body)
    }

    /// POSTs the signed body once and judges the answer.
    package func deliver(_ notification: OutgoingNotification) async -> DeliveryOutcome {
        guard let webhook = notification.webhook else {
            return .giveUp(reason: "user \(EmailMessage.quote(notification.recipient.id)) has no webhook configured")
        }
        guard let url = Self.usableURL(webhook.url) else {
            return .giveUp(
                reason: "the webhook URL \(EmailMessage.quote(webhook.url)) is not an http or https URL with a host")
        }
        let body = Self.body(for: notification)
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        // Foundation's own timer counts whole seconds; the exact deadline is enforced in `transport.send`.
        request.timeoutInterval = max(1, (Double(timeout.components.seconds) + 1).rounded(.up))
        request.cachePolicy = .reloadIgnoringLocalCacheData
        request.httpShouldHandleCookies = false
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("taskwire/\(version)", forHTTPHeaderField: "User-Agent")
        request.setValue(Self.headerSafe(notification.deliveryID), forHTTPHeaderField: "X-Taskwire-Delivery")
        request.setValue(Self.headerSafe(notification.eventType), forHTTPHeaderField: "X-Taskwire-Event")
        request.setValue(Self.signature(of: body, secret: webhook.secret), forHTTPHeaderField: "X-Taskwire-Signature")
        let answer = await transport.send(request, timeout: timeout)
        switch answer {
        case .response(let status, let location, let data):
            return Self.outcome(status: status, location: location, body: data)
        case .timedOut:
            return .retry(reason: "the webhook did not answer within \(timeout)")
        case .failed(let error):
            return Self.outcome(of: error)
        }
    }

    /// The outcome of an HTTP answer.
    static func outcome(status: Int, location: String?, body: [UInt8]) -> DeliveryOutcome {
        let said = excerpt(body)
        switch status {
        case 200...299:
            return .delivered
        case 300...399:
            let target = location.map { " to \(EmailMessage.quote($0))" } ?? ""
            return .giveUp(reason: "the webhook answered \(status), a redirect\(target); redirects are not followed")
        case 408, 425, 429, 500...599:
            return .retry(reason: "the webhook answered \(status)\(said)")
        case 400...499:
            return .giveUp(reason: "the webhook answered \(status)\(said)")
        default:
            return .retry(reason: "the webhook answered an unexpected status \(status)\(said)")
        }
    }

    /// The outcome of a request that got no answer.
    static func outcome(of error: any Error) -> DeliveryOutcome {
        if let urlError = error as? URLError {
            switch urlError.code {
            case .badURL, .unsupportedURL:
                return .giveUp(reason: "the webhook URL cannot be used: \(urlError.localizedDescription)")
            case .timedOut:
                return .retry(reason: "the webhook did not answer in time")
            default:
                break
            }
        }
        return .retry(reason: "the webhook could not be reached: \(error.localizedDescription)")
    }

    /// The URL when it is `http` or `https` with a host, else nil.
    static func usableURL(_ text: String) -> URL? {
        guard !text.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }), let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty, let url = components.url
        else { return nil }
        return url
    }

    /// A value that stays within its HTTP header: printable ASCII only.
    private static func headerSafe(_ value: String) -> String {
        String(decoding: value.utf8.map { $0 > 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: "_") }, as: UTF8.self)
    }

    /// `: ` and the first 200 characters of a response body on one line, or nothing.
    private static func excerpt(_ body: [UInt8]) -> String {
        let text = HeaderField.singleLine(String(decoding: body.prefix(1024), as: UTF8.self))
        guard !text.isEmpty else { return "" }
        return ": " + (text.count > 200 ? String(text.prefix(199)) + "…" : text)
    }
}

extension WebhookChannel {
    /// What one POST came to.
    enum Answer: Sendable {
        /// An HTTP answer: its status, its `Location` header, the start of its body.
        case response(status: Int, location: String?, body: [UInt8])
        /// No answer before the deadline; the request was cancelled.
        case timedOut
        /// No answer: a connection or protocol failure.
        case failed(any Error)
    }

    /// One URLSession for the channel's life, refusing every redirect and keeping only the start of each
    /// answer's body; invalidated when the last copy of the channel goes. The session is made at the first
    /// POST, not at start: making one reads the cookie store and the TLS configuration, a few milliseconds of
    /// every start of a server that may never send a webhook.
    final class Transport: Sendable {
        private let session = Mutex<URLSession?>(nil)
        private let exchanges = Exchanges()

        init() {}

        deinit {
            session.withLock { $0?.invalidateAndCancel() }
        }

        private func currentSession() -> URLSession {
            session.withLock { session in
                if let session { return session }
                let configuration = URLSessionConfiguration.ephemeral
                configuration.urlCache = nil
                configuration.httpCookieStorage = nil
                configuration.httpShouldSetCookies = false
                configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
                let made = URLSession(configuration: configuration, delegate: exchanges, delegateQueue: nil)
                session = made
                return made
            }
        }

        /// POSTs `request`, cancelling it when `timeout` passes or the calling task is cancelled.
        func send(_ request: URLRequest, timeout: Duration) async -> Answer {
            let task = currentSession().dataTask(with: request)
            return await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Answer, Never>) in
                    exchanges.begin(task, continuation)
                    task.resume()
                    let (seconds, attoseconds) = timeout.components
                    let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
                    DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [exchanges] in
                        if exchanges.markTimedOut(task) { task.cancel() }
                    }
                }
            } onCancel: {
                task.cancel()
            }
        }
    }

    /// The session's delegate: follows each request to its answer, one entry per task in flight.
    ///
    /// Its state is behind a `Mutex`; URLSession calls it on its own delegate queue.
    final class Exchanges: NSObject, URLSessionDataDelegate, Sendable {
        /// The most of a body kept (for the reason of a failure); the rest is not read.
        static let bodyLimit = 4096

        private struct Exchange {
            var continuation: CheckedContinuation<Answer, Never>
            var body: [UInt8] = []
            var timedOut = false
        }

        private let inFlight = Mutex<[Int: Exchange]>([:])

        func begin(_ task: URLSessionTask, _ continuation: CheckedContinuation<Answer, Never>) {
            inFlight.withLock { $0[task.taskIdentifier] = Exchange(continuation: continuation) }
        }

        /// Marks the exchange as timed out; false when it has already finished.
        func markTimedOut(_ task: URLSessionTask) -> Bool {
            inFlight.withLock { exchanges in
                guard exchanges[task.taskIdentifier] != nil else { return false }
                exchanges[task.taskIdentifier]?.timedOut = true
                return true
            }
        }

        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }

        func urlSession(
            _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
            completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
        ) {
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            let full = inFlight.withLock { exchanges -> Bool in
                guard var exchange = exchanges[dataTask.taskIdentifier] else { return false }
                exchange.body.append(contentsOf: data.prefix(Self.bodyLimit - exchange.body.count))
                exchanges[dataTask.taskIdentifier] = exchange
                return exchange.body.count >= Self.bodyLimit
            }
            // Enough to answer: the status is known and a longer body is never held in memory.
            if full { finish(dataTask, error: nil) }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
            finish(task, error: error)
        }

        private func finish(_ task: URLSessionTask, error: (any Error)?) {
            guard let exchange = inFlight.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
            if let response = task.response as? HTTPURLResponse {
                let location = response.value(forHTTPHeaderField: "Location")
                exchange.continuation.resume(
                    returning: .response(status: response.statusCode, location: location, body: exchange.body))
                if error == nil, task.state == .running { task.cancel() }
            } else if exchange.timedOut {
                exchange.continuation.resume(returning: .timedOut)
            } else {
                exchange.continuation.resume(returning: .failed(error ?? URLError(.badServerResponse)))
            }
        }
    }
}
