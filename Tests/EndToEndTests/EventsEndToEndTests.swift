import Foundation
import Glibc
import JSON
import JSONRPC
import TestSupport
import Testing

/// The event feed through the real binary: resuming across a crash, and a subscriber that stops reading.
struct EventsEndToEndTests {
    /// Every event a subscriber received before SIGKILL, plus `events.since` from its last cursor after the
    /// restart, is every create exactly once, in commit order.
    @Test func aSubscriberResumesFromItsLastCursorAcrossACrash() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.appending("data")
        let first = try ServerProcess(arguments: ["--data-dir", data, "--log-level", "error"])
        defer { first.kill() }
        #expect(try await first.client.call("events.subscribe")["result"]?["subscription_id"] == "sub_1")
        let writes = 40
        for index in 0..<writes {
            first.client.sendRequest("tasks.create", params: ["title": .string("task \(index)")])
        }
        var seen: [String] = []
        var cursor = "evt_0000000000000000ffff"
        while seen.count < writes / 2 {
            let message = try await first.client.next(timeout: .seconds(20))
            guard message["method"] == "events.event", let params = message["params"] else { continue }
            seen.append(try #require(params["event"]?["object"]?["task_id"]?.stringValue))
            cursor = try #require(params["cursor"]?.stringValue)
        }
        first.signal(SIGKILL)
        #expect(try await first.waitForExit() == 128 + SIGKILL)

        let second = try ServerProcess(arguments: ["--data-dir", data, "--log-level", "error"])
        defer { second.kill() }
        var caughtUp: [String] = []
        while true {
            let page = try #require(
                try await second.client.call("events.since", params: ["cursor": .string(cursor), "limit": 7])["result"])
            for event in page["events"]?.arrayValue ?? [] {
                caughtUp.append(try #require(event["object"]?["task_id"]?.stringValue))
            }
            cursor = try #require(page["next_cursor"]?.stringValue)
            if page["has_more"] != true { break }
        }
        let all = seen + caughtUp
        #expect(Set(all).count == all.count, "an event came twice")
        let listed = try #require(try await second.client.call("tasks.list", params: ["limit": 100])["result"])
        #expect(listed["total"]?.intValue == all.count, "an event is missing")
        #expect(all == all.sorted(), "events out of commit order")
    }

    /// A subscriber on a socket that stops reading is ended with `events.subscription_ended` while a writer on
    /// stdio completes every write; `events.since` from the resume cursor then has every event it missed.
    @Test func aSubscriberThatStopsReadingIsCutOffWhileTheWriterCompletes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.appending("data")
        let command = try ServerProcess(arguments: [
            "token", "create", "--user", "ann", "--role", "member",
            "--name", "Ann", "--data-dir", data,
        ])
        let token = String(decoding: try #require(try await command.client.nextBody()), as: UTF8.self)
        #expect(try await command.waitForExit() == 0)
        let path = directory.appending("tw.sock")
        let server = try ServerProcess(arguments: [
            "--data-dir", data, "--stdio", "--socket", path, "--log-level",
            "error",
        ])
        defer { server.kill() }
        _ = try await server.client.call("ping")

        // The slow subscriber: a raw socket that sends its login and subscription, then reads nothing.
        let slow = try RawSocket(path: path)
        defer { slow.close() }
        slow.send(#"{"jsonrpc":"2.0","id":1,"method":"auth.login","params":{"token":"\#(token)"}}"#)
        slow.send(#"{"jsonrpc":"2.0","id":2,"method":"events.subscribe","params":{"types":["task_created"]}}"#)
        try await waitForSubscriptions(server, count: 1)

        let writes = 4_000
        var answered = 0
        for batch in 0..<(writes / 200) {
            for index in 0..<200 {
                server.client.sendRequest(
                    "tasks.create", params: ["title": .string("write \(batch * 200 + index)"), "tags": ["load"]])
            }
            for _ in 0..<200 {
                let reply = try await server.client.next(timeout: .seconds(30))
                if reply["result"]?["task_id"] != nil { answered += 1 }
            }
        }
        #expect(answered == writes)

        // Now read what the subscriber was sent: its replies, some events, then the end.
        var delivered: [String] = []
        var resume: String?
        while resume == nil {
            let message = try #require(try slow.readMessage(timeoutMilliseconds: 20_000), "no end notification")
            if message["method"] == "events.event" {
                delivered.append(try #require(message["params"]?["cursor"]?.stringValue))
            } else if message["method"] == "events.subscription_ended" {
                #expect(message["params"]?["reason"] == "overflow")
                resume = message["params"]?["resume_cursor"]?.stringValue
            }
        }
        #expect(delivered.count < writes)
        var cursor = try #require(resume)
        var missed = 0
        while true {
            let page = try #require(
                try await server.client.call(
                    "events.since", params: ["cursor": .string(cursor), "limit": 1_000, "types": ["task_created"]]
                )["result"])
            missed += page["events"]?.arrayValue?.count ?? 0
            cursor = try #require(page["next_cursor"]?.stringValue)
            if page["has_more"] != true { break }
        }
        #expect(delivered.count + missed == writes)
    }

    /// Closing a connection ends its subscriptions.
    @Test func aClosedConnectionEndsItsSubscriptions() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.appending("data")
        let command = try ServerProcess(arguments: [
            "token", "create", "--user", "bot", "--role", "agent", "--data-dir", data,
        ])
        let token = String(decoding: try #require(try await command.client.nextBody()), as: UTF8.self)
        #expect(try await command.waitForExit() == 0)
        let path = directory.appending("tw.sock")
        let server = try ServerProcess(arguments: ["--data-dir", data, "--stdio", "--socket", path])
        defer { server.kill() }
        _ = try await server.client.call("ping")
        let client = try RPCTestClient.connect(toSocket: path, framing: .ndjson)
        #expect(try await client.call("auth.login", params: ["token": .string(token)])["result"] != nil)
        for _ in 0..<2 { #expect(try await client.call("events.subscribe")["result"] != nil) }
        try await waitForSubscriptions(server, count: 2)
        client.disconnect()
        try await waitForSubscriptions(server, count: 0)
    }

    /// Waits until `server.info` counts `count` subscriptions: each try is one stdio round trip, and
    /// the wait gives up after 1,000 of them.
    private func waitForSubscriptions(_ server: ServerProcess, count: Int) async throws {
        for _ in 0..<1_000 {
            let info = try #require(try await server.client.call("server.info")["result"])
            if info["counts"]?["subscriptions"]?.intValue == count { return }
        }
        throw TestSupportError("the server never counted \(count) subscriptions")
    }
}

/// A Unix-socket client that writes whole lines and reads only when asked, so a test can leave replies unread.
final class RawSocket {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw TestSupportError("cannot connect to \(path): errno \(errno)") }
    }

    func send(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// The next NDJSON message, or nil when nothing arrives within the timeout or the peer closed.
    func readMessage(timeoutMilliseconds: Int32) throws -> JSONValue? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return try JSONParser.parse(line)
            }
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, timeoutMilliseconds) == 1 else { return nil }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            buffer += chunk[..<count]
        }
    }

    func close() { Glibc.close(fd) }
}
