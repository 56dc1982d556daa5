import Foundation
import JSON
import JSONRPC
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Thousands of socket clients against the real binary: one event-loop thread serves them all, memory
/// per connection is small and comes back when they close, and one over `--max-connections` is refused.
@Suite(.serialized)
struct ManyConnectionsTests {
    /// A blocking socket client that sends one request and reads one line, with a poll timeout per read.
    struct RawClient {
        let fd: Int32

        static func connect(_ path: String) throws -> RawClient {
            RawClient(fd: try RPCTestClient.connectedSocket(path))
        }

        func send(_ text: String) throws {
            if let code = writeFully(fd, Array(text.utf8)) { throw TestSupportError("write failed: errno \(code)") }
        }

        /// One line, or nil at the end of the stream.
        func readLine(timeout: Int32 = 30_000) throws -> JSONValue? {
            var line: [UInt8] = []
            var byte: UInt8 = 0
            while true {
                var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&ready, 1, timeout) == 1 else { throw TestSupportError("no reply in time") }
                let count = read(fd, &byte, 1)
                if count <= 0 {
                    guard !line.isEmpty else { return Optional<JSONValue>.none }
                    return try JSONParser.parse(line)
                }
                if byte == 0x0A { return try JSONParser.parse(line) }
                line.append(byte)
            }
        }

        func ping(_ id: Int) throws -> JSONValue? {
            try send(#"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"# + "\n")
            return try readLine()
        }

        func close() { Glibc.close(fd) }
    }

    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    static func threads(of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("Threads:") {
            return Int(line.split(separator: "\t").last.map(String.init) ?? "") ?? 0
        }
        return 0
    }

    /// Waits until `condition` holds, checking every 20 ms, for at most `seconds`.
    static func eventually(seconds: Double = 30, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return try condition()
    }

    @Test func twoThousandClientsShareAFewThreadsAndTheirMemoryComesBack() async throws {
        Self.raiseOpenFileLimit()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("tw.sock")
        let server = try ServerProcess(arguments: ["--in-memory", "--stdio", "--socket", path])
        defer { server.kill() }
        _ = try await server.client.call("ping")

        let first = try RawClient.connect(path)
        #expect(try first.ping(0)?["result"] == .object([:]))
        let threadsWithOne = Self.threads(of: server.pid)
        let residentWithOne = server.residentBytes()

        let count = 2_000
        // The 2,000 descriptors open and close while no other test spawns a child (ServerProcess.withoutSpawns).
        let (threadsWithMany, residentWithMany) = try ServerProcess.withoutSpawns { () throws -> (Int, Int) in
            var clients: [RawClient] = []
            defer { for client in clients { client.close() } }
            for _ in 0..<count { clients.append(try RawClient.connect(path)) }
            for (n, client) in clients.enumerated() {
                try client.send(#"{"jsonrpc":"2.0","id":\#(n),"method":"ping"}"# + "\n")
            }
            for (n, client) in clients.enumerated() {
                let reply = try client.readLine()
                #expect(reply?["id"] == .int(n))
                #expect(reply?["result"] == .object([:]))
            }
            return (Self.threads(of: server.pid), server.residentBytes())
        }
        // Two threads per connection would be 4,000 more; a bounded pool and one loop do not grow with them.
        #expect(threadsWithMany - threadsWithOne < 16, "threads: \(threadsWithOne) -> \(threadsWithMany)")
        let perConnection = (residentWithMany - residentWithOne) / count
        // The target is 32 KiB in a release build; a debug build keeps more per object.
        #expect(perConnection < 64 * 1024, "resident bytes per connection: \(perConnection)")

        // The memory comes back once the loop has closed them (and glibc was asked to hand it back).
        let grown = residentWithMany - residentWithOne
        let returned = await Self.eventually { server.residentBytes() - residentWithOne < grown / 2 }
        #expect(
            returned,
            "resident: \(residentWithOne) with one, \(residentWithMany) with \(count), now \(server.residentBytes())")
        #expect(try first.ping(1)?["result"] == .object([:]))
        first.close()
        server.client.closeWriting()
        #expect(try await server.waitForExit() == 0)
    }

    @Test func aConnectionOverTheLimitIsRefusedWithAClearErrorAndTheNextOneAfterACloseIsServed() async throws {
        Self.raiseOpenFileLimit()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("tw.sock")
        let limit = 300
        let server = try ServerProcess(arguments: [
            "--in-memory", "--stdio", "--socket", path, "--max-connections", String(limit),
        ])
        defer { server.kill() }
        let info = try await server.client.call("server.info")
        #expect(info["result"]?["limits"]?["max_connections"] == .int(limit))

        var clients: [RawClient] = []
        for n in 0..<limit {
            let client = try RawClient.connect(path)
            #expect(try client.ping(n)?["result"] == .object([:]))
            clients.append(client)
        }
        let refused = try RawClient.connect(path)
        let error = try #require(try refused.readLine())
        #expect(error["id"] == .null)
        #expect(error["error"]?["code"] == 503)
        #expect(error["error"]?["data"]?["error"] == "too_many_connections")
        #expect(error["error"]?["data"]?["max_connections"] == .int(limit))
        #expect(error["error"]?["message"]?.stringValue?.contains("connection limit") == true)
        // Then the end of the stream (an Optional's none, not JSON null).
        #expect(try refused.readLine() == Optional<JSONValue>.none)
        refused.close()
        // The stdio connection does not count against the limit, and the others are still served.
        #expect(try await server.client.call("ping")["result"] == .object([:]))
        #expect(try clients[0].ping(1)?["result"] == .object([:]))

        clients.removeLast().close()
        // Closing is finished by the server asynchronously: a new client is served once it is.
        let served = await Self.eventually {
            guard let client = try? RawClient.connect(path) else { return false }
            defer { client.close() }
            return (try? client.ping(7))??["result"] == .object([:])
        }
        #expect(served)
        #expect(server.standardError.contains("connection limit reached"))
        for client in clients { client.close() }
    }
}
