import Foundation
import JSON
import JSONRPC
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real binary listening on a Unix socket.
struct UnixSocketTests {
    /// Starts a server on stdio and a socket; a stdio ping proves the socket is listening (it is bound first).
    func start(_ directory: TemporaryDirectory, extra: [String] = []) async throws -> (ServerProcess, String) {
        let path = directory.appending("tw.sock")
        let server = try ServerProcess(arguments: ["--in-memory", "--stdio", "--socket", path] + extra)
        _ = try await server.client.call("ping")
        return (server, path)
    }

    @Test func socketIsPrivateServesBothFramingsAtOnceAndIsRemovedOnExit() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (server, path) = try await start(directory)
        defer { server.kill() }
        var status = stat()
        #expect(lstat(path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)

        let lsp = try RPCTestClient.connect(toSocket: path, framing: .lsp)
        let ndjson = try RPCTestClient.connect(toSocket: path, framing: .ndjson)
        defer {
            lsp.disconnect()
            ndjson.disconnect()
        }
        let lspInfo = try await lsp.call("server.info")["result"]
        let ndjsonInfo = try await ndjson.call("server.info")["result"]
        #expect(lspInfo?["framing"] == "lsp")
        #expect(lspInfo?["transport"] == "unix")
        #expect(ndjsonInfo?["framing"] == "ndjson")
        #expect(try await lsp.call("ping")["result"] == .object([:]))

        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)
        #expect(lstat(path, &status) != 0)
    }

    @Test func staleSocketFileIsReplaced() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("tw.sock")
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8))
            raw[path.utf8.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        close(fd)
        #expect(bound == 0)
        let (server, _) = try await start(directory)
        defer { server.kill() }
        let client = try RPCTestClient.connect(toSocket: path, framing: .ndjson)
        defer { client.disconnect() }
        #expect(try await client.call("ping")["result"] == .object([:]))
    }

    @Test func liveSocketMakesASecondServerFail() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (server, path) = try await start(directory)
        defer { server.kill() }
        let second = try ServerProcess(arguments: ["--in-memory", "--socket", path])
        defer { second.kill() }
        #expect(try await second.waitForExit() == 69)
        #expect(second.standardError.contains("already listening"))
        let client = try RPCTestClient.connect(toSocket: path, framing: .ndjson)
        defer { client.disconnect() }
        #expect(try await client.call("ping")["result"] == .object([:]))
    }

    @Test func tooLongPathIsAUsageError() async throws {
        let server = try ServerProcess(arguments: [
            "--in-memory", "--socket", "/tmp/" + String(repeating: "p", count: 110),
        ])
        defer { server.kill() }
        #expect(try await server.waitForExit() == 64)
        #expect(server.standardError.contains("at most 107"))
    }

    @Test func clientThatNeverReadsIsDisconnectedWhileOthersAreServed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (server, path) = try await start(directory, extra: ["--max-outbound-bytes", "256K"])
        defer { server.kill() }
        let stuck = try RPCTestClient.connect(toSocket: path, framing: .ndjson)
        let healthy = try RPCTestClient.connect(toSocket: path, framing: .lsp)
        defer {
            stuck.disconnect()
            healthy.disconnect()
        }
        // Each batch answers with at most 200 KB, under the 256 KB limit (a batch reply over the limit would be
        // refused with a small 413); twenty of them queued are far over it. The count follows the schema's size.
        let discovered = try await healthy.call("rpc.discover")
        let replyBytes = JSONWriter.bytes(discovered).count
        let member = #"{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}"#
        let count = max(1, 200 * 1024 / replyBytes)
        let batch = "[" + Array(repeating: member, count: count).joined(separator: ",") + "]"
        for _ in 0..<20 { stuck.send(body: batch) }
        for _ in 0..<5 { #expect(try await healthy.call("ping")["result"] == .object([:])) }
        try await stuck.waitForHangUp(timeout: .seconds(30))
        #expect(try await healthy.call("ping")["result"] == .object([:]))
        // Reading now, the stuck client finds its stream cut short: it was disconnected, not served forever.
        var replies = 0
        while try await stuck.nextBody(timeout: .seconds(30)) != nil { replies += 1 }
        #expect(replies < 20)
        #expect(server.standardError.contains("not reading"))
        #expect(try await healthy.call("ping")["result"] == .object([:]))
    }

    @Test func clientVanishingMidRequestCostsNothingElse() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (server, path) = try await start(directory)
        defer { server.kill() }
        // Each leaving client asks for about 10 MB of replies (fifty copies of the schema) and is gone before
        // the server has built them; the server must still answer everyone else. Building what was asked
        // takes a few seconds of CPU on a loaded machine, hence the patient pings.
        let member = #"{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}"#
        for _ in 0..<5 {
            let leaving = try RPCTestClient.connect(toSocket: path, framing: .ndjson)
            leaving.send(body: "[" + Array(repeating: member, count: 50).joined(separator: ",") + "]")
            try await leaving.flush()
            leaving.disconnect()
        }
        let client = try RPCTestClient.connect(toSocket: path, framing: .ndjson)
        defer { client.disconnect() }
        #expect(try await client.call("ping", timeout: .seconds(60))["result"] == .object([:]))
        #expect(try await server.client.call("ping", timeout: .seconds(60))["result"] == .object([:]))
        // A full close looks like a half close to the server until it writes: it drains what the leaving
        // clients asked for before it exits, which takes those same few seconds of CPU.
        server.client.closeWriting()
        #expect(try await server.waitForExit(timeout: .seconds(60)) == 0)
    }

    @Test func halfClosedClientStillGetsItsReplies() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (server, path) = try await start(directory)
        defer { server.kill() }
        let client = try RPCTestClient.connect(toSocket: path, framing: .ndjson)
        client.send(body: #"{"jsonrpc":"2.0","id":"x","method":"ping"}"#)
        client.closeWriting()
        #expect(try await client.next()["id"] == "x")
        try await client.expectEndOfStream()
    }

    @Test func aLastLineWithoutNewlineIsAnsweredWhenTheClientShutsDownWriting() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (server, path) = try await start(directory)
        defer { server.kill() }
        let client = try RPCTestClient.connect(toSocket: path, framing: .ndjson)
        defer { client.disconnect() }
        client.sendRaw(#"{"jsonrpc":"2.0","id":"last","method":"ping"}"#)
        client.closeWriting()
        let reply = try await client.next()
        #expect(reply["id"] == "last")
        #expect(reply["result"] == .object([:]))
        try await client.expectEndOfStream()
    }
}
