import Foundation
import Glibc
import JSON
import Testing

@testable import Delivery

/// The webhook channel against a real HTTP receiver on 127.0.0.1.
@Suite struct WebhookChannelTests {
    static let secret = "s3cr3t-ключ"

    func notification(url: String) -> OutgoingNotification {
        Samples.notification(webhook: .init(url: url, secret: Self.secret))
    }

    @Test func postsTheSignedBodyWithItsHeaders() async throws {
        let receiver = try LocalHTTPReceiver { _ in .status(200, body: "ok") }
        defer { receiver.stop() }
        let channel = WebhookChannel(version: "1.2.3")
        let notification = notification(url: receiver.url("/hooks/taskwire?team=7"))
        #expect(await channel.deliver(notification) == .delivered)
        let request = try await receiver.nextRequest()
        #expect(request.method == "POST")
        #expect(request.path == "/hooks/taskwire?team=7")
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("User-Agent") == "taskwire/1.2.3")
        #expect(request.header("X-Taskwire-Delivery") == "dlv_00000000000000070001")
        #expect(request.header("X-Taskwire-Event") == "task_assigned")
        #expect(request.header("Content-Length") == String(request.body.count))

        let signature = try #require(request.header("X-Taskwire-Signature"))
        #expect(signature.hasPrefix("sha256="))
        #expect(signature == "sha256=" + HMACSHA256.hexCode(key: Array(Self.secret.utf8), message: request.body))
        #expect(HMACSHA256.verify(signature: signature, key: Array(Self.secret.utf8), message: request.body))
        #expect(!HMACSHA256.verify(signature: signature, key: Array("wrong".utf8), message: request.body))

        let body = try JSONParser.parse(request.body)
        #expect(body.objectValue?.keys == ["delivery_id", "event_type", "event_id", "occurred_at", "notification"])
        #expect(body["delivery_id"] == "dlv_00000000000000070001")
        #expect(body["event_type"] == "task_assigned")
        #expect(body["event_id"] == "evt_00000000000000070001")
        #expect(body["occurred_at"] == "2024-01-15T10:05:00Z")
        #expect(body["notification"] == notification.payload)
        #expect(request.body == WebhookChannel.body(for: notification))
    }

    @Test(arguments: [
        (200, DeliveryOutcome.delivered), (204, .delivered),
        (500, .retry(reason: "the webhook answered 500: database down")),
        (503, .retry(reason: "the webhook answered 503: database down")),
        (408, .retry(reason: "the webhook answered 408: database down")),
        (429, .retry(reason: "the webhook answered 429: database down")),
        (400, .giveUp(reason: "the webhook answered 400: database down")),
        (404, .giveUp(reason: "the webhook answered 404: database down")),
        (410, .giveUp(reason: "the webhook answered 410: database down")),
    ])
    func statusesMapToOutcomes(status: Int, outcome: DeliveryOutcome) async throws {
        let receiver = try LocalHTTPReceiver { _ in .status(status, body: status == 204 ? "" : "database\ndown") }
        defer { receiver.stop() }
        #expect(await WebhookChannel(version: "1").deliver(notification(url: receiver.url())) == outcome)
        _ = try await receiver.nextRequest()
        #expect(receiver.requestCount == 1)
    }

    @Test func aReceiverThatNeverAnswersIsRetriedAfterTheTimeout() async throws {
        let receiver = try LocalHTTPReceiver { _ in .hang }
        defer { receiver.stop() }
        let channel = WebhookChannel(version: "1", timeout: .seconds(1))
        let started = ContinuousClock.now
        let outcome = await channel.deliver(notification(url: receiver.url()))
        let elapsed = ContinuousClock.now - started
        #expect(outcome == .retry(reason: "the webhook did not answer within 1.0 seconds"))
        #expect(elapsed >= .seconds(1))
        _ = try await receiver.nextRequest()
    }

    @Test func onlyTheStartOfALongAnswerIsRead() async throws {
        let huge = String(repeating: "x", count: 8 * 1024 * 1024)
        let ok = try LocalHTTPReceiver { _ in .status(200, body: huge) }
        defer { ok.stop() }
        #expect(await WebhookChannel(version: "1").deliver(notification(url: ok.url())) == .delivered)
        let failing = try LocalHTTPReceiver { _ in .status(502, body: huge) }
        defer { failing.stop() }
        let outcome = await WebhookChannel(version: "1").deliver(notification(url: failing.url()))
        #expect(outcome == .retry(reason: "the webhook answered 502: " + String(repeating: "x", count: 199) + "…"))
    }

    @Test func aRedirectIsNotFollowed() async throws {
        let receiver = try LocalHTTPReceiver { request in
            request.path == "/hook" ? .status(307, headers: ["Location: /elsewhere"]) : .status(200)
        }
        defer { receiver.stop() }
        let outcome = await WebhookChannel(version: "1").deliver(notification(url: receiver.url()))
        #expect(
            outcome
                == .giveUp(reason: "the webhook answered 307, a redirect to \"/elsewhere\"; redirects are not followed")
        )
        #expect(try await receiver.nextRequest().path == "/hook")
        #expect(receiver.requestCount == 1)
    }

    @Test func aRefusedConnectionIsRetried() async throws {
        // A socket bound but not listening: connecting to its port is refused, and no one else can take it.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(holder, pointer, length) == 0 && getsockname(holder, pointer, &length) == 0
            }
        }
        #expect(bound)
        let port = UInt16(bigEndian: address.sin_port)
        let outcome = await WebhookChannel(version: "1").deliver(notification(url: "http://127.0.0.1:\(port)/hook"))
        #expect(outcome.isRetry, "\(outcome)")
    }

    @Test func unusableURLsAndMissingWebhooksAreGivenUp() async {
        let channel = WebhookChannel(version: "1")
        for url in [
            "ftp://example.com/hook", "not a url", "http://", "/relative/path", "https://exa mple.com/", "mailto:a@b.c",
        ] {
            let outcome = await channel.deliver(notification(url: url))
            #expect(
                outcome == .giveUp(reason: "the webhook URL \"\(url)\" is not an http or https URL with a host"),
                "\(url)")
        }
        #expect(
            await channel.deliver(Samples.notification())
                == .giveUp(reason: "user \"user789\" has no webhook configured"))
    }

    @Test func theSignatureHelperMatchesAnIndependentComputation() {
        let body = Array("{\"delivery_id\":\"dlv_1\"}".utf8)
        // HMAC-SHA256 of this body under "key", computed with Python's hmac module.
        #expect(
            WebhookChannel.signature(of: body, secret: "key")
                == "sha256=4a74a22681e313218ef8f8566cab85b2806d26057e764819c62c5235a916405f")
    }
}
