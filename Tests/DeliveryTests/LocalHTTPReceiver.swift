import Foundation
import Glibc
import Locking
import TestSupport

/// A small HTTP/1.1 server on 127.0.0.1 and an ephemeral port, for the webhook tests: each connection is
/// read on a thread of its own, its request recorded (a waiting ``nextRequest(timeout:)`` is woken at once),
/// then answered as ``reply`` says, or never answered.
final class LocalHTTPReceiver: Sendable {
    /// What the receiver does with a request.
    enum Reply: Sendable {
        /// Answers with this status, extra headers and body, then closes the connection.
        case status(Int, headers: [String] = [], body: String = "")
        /// Keeps the connection open without answering until the receiver stops.
        case hang
    }

    /// One request as received.
    struct Request: Sendable {
        var method: String
        var path: String
        /// Header lines as sent, names as written.
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        /// The value of the header called `name` (any case), when there is exactly one.
        func header(_ name: String) -> String? {
            let found = headers.filter { $0.name.lowercased() == name.lowercased() }
            return found.count == 1 ? found[0].value : nil
        }
    }

    private struct State {
        var requests: [Request] = []
        var handedOut = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Request, any Error>)] = []
        var nextWaiter = 0
        var openConnections: [Int32] = []
        var stopped = false
    }

    /// The port it listens on.
    let port: UInt16
    private let listener: Int32
    private let state = Mutex(State())
    private let reply: @Sendable (Request) -> Reply

    init(reply: @escaping @Sendable (Request) -> Reply) throws {
        self.reply = reply
        let socketType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let listener = socket(AF_INET, socketType, 0)
        guard listener >= 0 else { throw TestSupportError("socket failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw TestSupportError("bind/listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// `http://127.0.0.1:PORT` and `path`.
    func url(_ path: String = "/hook") -> String { "http://127.0.0.1:\(port)\(path)" }

    /// How many requests arrived so far.
    var requestCount: Int { state.withLock { $0.requests.count } }

    /// The next request not yet handed out, as soon as it has arrived.
    func nextRequest(timeout: Duration = .seconds(20)) async throws -> Request {
        try await withCheckedThrowingContinuation { continuation in
            let id = state.withLock { state -> Int? in
                if state.handedOut < state.requests.count {
                    state.handedOut += 1
                    continuation.resume(returning: state.requests[state.handedOut - 1])
                    return nil
                }
                state.nextWaiter += 1
                state.waiters.append((state.nextWaiter, continuation))
                return state.nextWaiter
            }
            guard let id else { return }
            let (seconds, attoseconds) = timeout.components
            DispatchQueue.global().asyncAfter(deadline: .now() + Double(seconds) + Double(attoseconds) / 1e18) {
                let expired = self.state.withLock { state -> CheckedContinuation<Request, any Error>? in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.waiters.remove(at: index).continuation
                }
                expired?.resume(throwing: TestTimeout("a webhook request"))
            }
        }
    }

    /// Stops listening and ends every connection, answered or not.
    func stop() {
        // Under the lock, so that no descriptor is shut down after its connection closed it.
        state.withLock { state in
            state.stopped = true
            for connection in state.openConnections { shutdown(connection, Int32(SHUT_RDWR)) }
        }
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                break
            }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            let open = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.openConnections.append(connection)
                return true
            }
            guard open else {
                close(connection)
                break
            }
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
        close(listener)
    }

    private func serve(_ connection: Int32) {
        guard let request = readRequest(connection) else {
            finish(connection)
            return
        }
        let answer = reply(request)
        let waiter = state.withLock { state -> CheckedContinuation<Request, any Error>? in
            state.requests.append(request)
            guard !state.waiters.isEmpty else { return nil }
            state.handedOut += 1
            return state.waiters.removeFirst().continuation
        }
        waiter?.resume(returning: request)
        switch answer {
        case .status(let code, let headers, let body):
            var head = "HTTP/1.1 \(code) Status\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
            for header in headers { head += header + "\r\n" }
            Self.send(Array((head + "\r\n" + body).utf8), to: connection)
            finish(connection)
        case .hang:
            // Read until the client gives up and closes, or the receiver stops.
            var byte: UInt8 = 0
            while read(connection, &byte, 1) > 0 {}
            finish(connection)
        }
    }

    /// Sends every byte, or stops when the client has gone (no SIGPIPE: the client may hang up mid-body).
    private static func send(_ bytes: [UInt8], to connection: Int32) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes {
                Glibc.send(connection, $0.baseAddress.map { $0 + offset }, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            offset += count
        }
    }

    private func finish(_ connection: Int32) {
        state.withLock { state in
            state.openConnections.removeAll { $0 == connection }
            close(connection)
        }
    }

    private func readRequest(_ connection: Int32) -> Request? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let separator: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        func fill() -> Bool {
            let count = chunk.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
            guard count > 0 else { return false }
            buffer.append(contentsOf: chunk[0..<count])
            return true
        }
        var headerEnd: Int?
        while headerEnd == nil {
            guard fill() else { return nil }
            headerEnd = buffer.indices.dropLast(3).first { Array(buffer[$0..<$0 + 4]) == separator }
        }
        guard let end = headerEnd else { return nil }
        let lines = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        var body = Array(buffer[(end + 4)...])
        while body.count < length {
            let count = chunk.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
            guard count > 0 else { return nil }
            body.append(contentsOf: chunk[0..<count])
        }
        return Request(
            method: String(requestLine[0]), path: String(requestLine[1]), headers: headers,
            body: Array(body.prefix(length)))
    }
}
