import Foundation
import JSON
import JSONRPC
import Locking
import TaskwireLog
import TestSupport
import Testing
import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// A socket pair whose server end is a loop-served connection answering each frame with a body the test
/// chooses; the client end is a plain descriptor the test reads and writes itself.
final class SocketPair: Sendable {
    let connection: Connection
    let clientFD: Int32
    let ended = FrameInbox()
    let disconnects = FrameInbox()
    let received = FrameInbox()

    init(
        configuration: Connection.Configuration = .init(), serverSendBuffer: Int32? = nil,
        reply: (@Sendable ([UInt8]) -> [UInt8]?)? = nil
    ) throws {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw TestSupportError("socketpair failed: errno \(errno)")
        }
        if var size = serverSendBuffer {
            setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        clientFD = fds[1]
        connection = Connection(
            readFD: fds[0], writeFD: fds[0], ownsDescriptors: true, transport: "unix",
            configuration: configuration, logger: Logger(label: "test", level: .error) { _ in }
        )
        let (ended, disconnects, received) = (self.ended, self.disconnects, self.received)
        connection.start(
            Connection.Handler(
                received: { connection, events in
                    for case .frame(let body) in events {
                        received.push(body)
                        if let answer = reply?(body) { connection.send(answer) }
                    }
                },
                endOfInput: { _, reason in ended.push(Array("\(reason)".utf8)) },
                disconnected: { _, reason in disconnects.push(Array(reason.utf8)) }
            )
        )
    }

    /// Writes all of `bytes` to the server.
    func write(_ text: String) throws {
        if let code = writeFully(clientFD, Array(text.utf8)) { throw TestSupportError("write failed: errno \(code)") }
    }

    /// Reads until `count` bytes arrived or the stream ends, waiting at most `timeout` for each read.
    func read(count: Int, chunk: Int = 64 * 1024, timeout: Int32 = 30_000) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        while bytes.count < count {
            var ready = pollfd(fd: clientFD, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, timeout) == 1 else { break }
            let got = buffer.withUnsafeMutableBytes {
                Glibc.read(clientFD, $0.baseAddress, min(chunk, count - bytes.count))
            }
            if got <= 0 { break }
            bytes.append(contentsOf: buffer[0..<got])
        }
        return bytes
    }

    /// Reads lines until the stream ends.
    func readLines(timeout: Int32 = 30_000) -> [String] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var ready = pollfd(fd: clientFD, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, timeout) == 1 else { break }
            let got = buffer.withUnsafeMutableBytes { Glibc.read(clientFD, $0.baseAddress, $0.count) }
            if got <= 0 { break }
            bytes.append(contentsOf: buffer[0..<got])
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func closeClient() { close(clientFD) }
}

/// Raises this process's soft limit on open descriptors to its hard limit (many sockets at once).
func raiseOpenFileLimit() {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
    limit.rlim_cur = limit.rlim_max
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}

/// The threads of this process now (`Threads` in `/proc/self/status`).
func threadCount() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("Threads:") {
        return Int(line.split(separator: "\t").last.map(String.init) ?? "") ?? 0
    }
    return 0
}

/// Waits until `condition` holds, checking every few milliseconds, for at most `seconds`.
func eventually(seconds: Double = 30, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

@Suite(.serialized)
struct EventLoopConnectionTests {
    @Test func socketConnectionsAreServedByTheEventLoop() throws {
        let pair = try SocketPair { $0 }
        defer { pair.closeClient() }
        #expect(pair.connection.usesEventLoop)
        let pipe = try PipePair { $0 }
        #expect(!pipe.connection.usesEventLoop)
    }

    @Test func repliesLeaveInTheOrderTheyWereSent() async throws {
        let pair = try SocketPair { $0 }
        let count = 5_000
        // One write holds many frames: they reach the handler together and are answered one by one, some
        // written at once and some queued behind a reply the kernel could not take whole.
        let requests = (0..<count).map { #"{"n":\#($0),"pad":"\#(String(repeating: "x", count: $0 % 700))"}"# }
        try pair.write(requests.joined(separator: "\n") + "\n")
        let expectedBytes = requests.reduce(0) { $0 + $1.utf8.count + 1 }
        let bytes = pair.read(count: expectedBytes)
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines == requests)
        pair.closeClient()
        _ = try await pair.ended.next(timeout: .seconds(10), what: "end of input")
    }

    @Test func aSlowReaderGetsEveryByteThroughPartialWrites() async throws {
        let frame = Array(("\"" + String(repeating: "s", count: 200 * 1024) + "\"").utf8)
        let pair = try SocketPair(serverSendBuffer: 16 * 1024)
        // Eighty replies of 200 KiB from a thread that is not the loop: far more than the socket holds, so
        // sends write partly, the rest waits, and the loop writes it as the reader makes room.
        var frames: [[UInt8]] = []
        for n in 0..<80 {
            var body = frame
            let tag = Array(String(format: "%02d", n).utf8)
            body.replaceSubrange(1..<3, with: tag)
            frames.append(body)
            #expect(pair.connection.send(body))
        }
        #expect(pair.connection.unwrittenBytes > 0)
        var got: [UInt8] = []
        while got.count < frames.count * (frame.count + 1) {
            // Small reads, one at a time: the server must wait for EPOLLOUT again and again.
            let part = pair.read(count: frames.count * (frame.count + 1) - got.count, chunk: 4096)
            if part.isEmpty { break }
            got.append(contentsOf: part)
        }
        let expected: [UInt8] = frames.flatMap { $0 + [0x0A] }
        #expect(got.count == expected.count)
        #expect(got == expected)
        #expect(await eventually { pair.connection.unwrittenBytes == 0 })
        #expect(await pair.connection.finishOutput(timeout: .seconds(10)))
        pair.closeClient()
    }

    @Test func aPeerThatDoesNotReadIsDisconnectedWhenItsQueueOverflows() async throws {
        let reply = Array(("\"" + String(repeating: "r", count: 256 * 1024) + "\"").utf8)
        let pair = try SocketPair(configuration: Connection.Configuration(maxOutboundBytes: 512 * 1024)) { _ in reply }
        defer { pair.closeClient() }
        try pair.write((0..<16).map { "[\($0)]" }.joined(separator: "\n") + "\n")
        let reason = try await pair.disconnects.next(timeout: .seconds(10), what: "the disconnect")
        #expect(reason.map { String(decoding: $0, as: UTF8.self) }?.contains("outbound queue over 524288") == true)
        #expect(pair.connection.send(Array("{}".utf8)) == false)
        let ended = try await pair.ended.next(timeout: .seconds(10), what: "end of input")
        #expect(ended.map { String(decoding: $0, as: UTF8.self) } == "disconnected")
        // Reading now, the client finds its stream cut short after a part of what was asked.
        let lines = pair.readLines()
        #expect(lines.count < 16)
    }

    @Test func endOfInputIsReportedOnceAndRepliesStillFlowAfterAHalfClose() async throws {
        let pair = try SocketPair { $0 }
        try pair.write("[1]\n[2]")
        shutdown(pair.clientFD, Int32(SHUT_WR))
        let reason = try await pair.ended.next(timeout: .seconds(10), what: "end of input")
        #expect(reason.map { String(decoding: $0, as: UTF8.self) } == "closed")
        #expect(await pair.connection.finishOutput(timeout: .seconds(10)))
        #expect(pair.readLines() == ["[1]", "[2]"])
        pair.closeClient()
        await #expect(throws: (any Error).self) {
            try await pair.ended.next(timeout: .milliseconds(300), what: "a second end of input")
        }
    }

    @Test func aPausedConnectionIsNotReadUntilResumed() async throws {
        let pair = try SocketPair { $0 }
        defer { pair.closeClient() }
        try pair.write("[1]\n")
        #expect(try await pair.received.next(timeout: .seconds(10), what: "the first frame") == Array("[1]".utf8))
        pair.connection.pauseReading()
        try pair.write("[2]\n")
        // The frame waits in the kernel while paused; other connections are served meanwhile.
        let other = try SocketPair { $0 }
        defer { other.closeClient() }
        try other.write("[3]\n")
        #expect(other.read(count: 4) == Array("[3]\n".utf8))
        await #expect(throws: (any Error).self) {
            try await pair.received.next(timeout: .milliseconds(300), what: "a frame while paused")
        }
        pair.connection.resumeReading()
        #expect(try await pair.received.next(timeout: .seconds(10), what: "the second frame") == Array("[2]".utf8))
    }

    @Test func manyConnectionsShareOneThreadAndAreLetGoWhenClosed() async throws {
        raiseOpenFileLimit()
        let baselineThreads = threadCount()
        var pairs: [SocketPair] = []
        for _ in 0..<1_000 { pairs.append(try SocketPair { $0 }) }
        for (n, pair) in pairs.enumerated() { try pair.write("[\(n)]\n") }
        for (n, pair) in pairs.enumerated() {
            #expect(pair.read(count: "[\(n)]\n".utf8.count) == Array("[\(n)]\n".utf8))
        }
        // Two threads per connection would be 2,000 more; the loop is one, shared by every socket. (Other
        // suites running meanwhile start a few threads of their own.)
        #expect(threadCount() - baselineThreads < 100)
        for pair in pairs { pair.closeClient() }
        for pair in pairs {
            _ = try await pair.ended.next(timeout: .seconds(30), what: "end of input")
            #expect(await pair.connection.finishOutput(timeout: .seconds(10)))
        }
        final class Weak: @unchecked Sendable {
            // Written once here, read after the test's own waits only.
            weak var connection: Connection?
            init(_ connection: Connection) { self.connection = connection }
        }
        let references = pairs.map { Weak($0.connection) }
        pairs.removeAll()
        // The loop closes each descriptor between two waits and then lets its connection go.
        #expect(await eventually { references.allSatisfy { $0.connection == nil } })
    }
}
