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

/// A connection over in-process pipes whose handler answers every frame with a body the test chooses.
final class PipePair: Sendable {
    let connection: Connection
    let client: RPCTestClient
    let ended = FrameInbox()
    let disconnects = FrameInbox()

    init(
        configuration: Connection.Configuration = .init(), clientFraming: Framing = .ndjson,
        reply: @escaping @Sendable ([UInt8]) -> [UInt8]
    ) throws {
        guard let inbound = privatePipe(), let outbound = privatePipe() else { throw TestSupportError("pipe failed") }
        let toServer = [inbound.read, inbound.write]
        let toClient = [outbound.read, outbound.write]
        connection = Connection(
            readFD: toServer[0], writeFD: toClient[1], ownsDescriptors: true, transport: "pipe",
            configuration: configuration, logger: Logger(label: "test", level: .error) { _ in }
        )
        client = RPCTestClient(readFD: toClient[0], writeFD: toServer[1], framing: clientFraming)
        let ended = self.ended
        let disconnects = self.disconnects
        connection.start(
            Connection.Handler(
                received: { connection, events in
                    for case .frame(let body) in events { connection.send(reply(body)) }
                },
                endOfInput: { _, reason in ended.push(Array("\(reason)".utf8)) },
                disconnected: { _, reason in disconnects.push(Array(reason.utf8)) }
            )
        )
    }
}

struct ConnectionTests {
    @Test func framesAreEchoedInTheDetectedFraming() async throws {
        let pair = try PipePair(clientFraming: .lsp) { $0 }
        pair.client.send(body: #"{"n":1}"#)
        pair.client.send(body: #"{"n":"é"}"#)
        #expect(try await pair.client.next() == ["n": 1])
        #expect(try await pair.client.next() == ["n": "é"])
        #expect(pair.connection.framing == .lsp)
    }

    @Test func largeRepliesDoNotDeadlockWhileTheClientKeepsWriting() async throws {
        let reply = Array(("\"" + String(repeating: "r", count: 1 << 20) + "\"").utf8)
        let pair = try PipePair { _ in reply }
        // Write far more than a pipe holds before reading anything: a server that wrote replies on its
        // reading thread would stop reading, and these writes would never finish.
        let padding = String(repeating: "p", count: 16 * 1024)
        for n in 0..<24 { pair.client.send(body: #"{"n":\#(n),"pad":"\#(padding)"}"#) }
        try await pair.client.flush(timeout: .seconds(30))
        for _ in 0..<24 {
            let body = try #require(try await pair.client.nextBody(timeout: .seconds(30)))
            #expect(body.count == reply.count)
        }
    }

    @Test func endOfInputIsReportedOnceAndRepliesStillFlow() async throws {
        let pair = try PipePair { $0 }
        pair.client.send(body: "[1]")
        pair.client.closeWriting()
        let reason = try await pair.ended.next(timeout: .seconds(10), what: "end of input")
        #expect(reason.map { String(decoding: $0, as: UTF8.self) } == "closed")
        #expect(try await pair.client.next() == [1])
        #expect(await pair.connection.finishOutput(timeout: .seconds(10)))
        try await pair.client.expectEndOfStream()
    }

    @Test func aPeerThatDoesNotReadIsDisconnectedWhenItsQueueOverflows() async throws {
        let reply = Array(("\"" + String(repeating: "r", count: 256 * 1024) + "\"").utf8)
        let pair = try PipePair(configuration: Connection.Configuration(maxOutboundBytes: 64 * 1024)) { _ in reply }
        for n in 0..<8 { pair.client.send(body: "[\(n)]") }
        let reason = try await pair.disconnects.next(timeout: .seconds(10), what: "the disconnect")
        #expect(reason.map { String(decoding: $0, as: UTF8.self) }?.contains("outbound queue") == true)
        #expect(pair.connection.send(Array("{}".utf8)) == false)
    }

    @Test func framingErrorsReachTheHandler() async throws {
        let errors = FrameInbox()
        let pipe = try #require(privatePipe())
        let toServer = [pipe.read, pipe.write]
        let connection = Connection(
            readFD: toServer[0], writeFD: dup(2), ownsDescriptors: true, transport: "pipe",
            configuration: Connection.Configuration(maxFrameBytes: 8),
            logger: Logger(label: "test", level: .error) { _ in }
        )
        connection.start(
            Connection.Handler(
                received: { _, events in
                    for event in events {
                        switch event {
                        case .frame(let body): errors.push(body)
                        case .error(let error): errors.push(Array("error \(error.kind)".utf8))
                        }
                    }
                },
                endOfInput: { _, _ in errors.end() },
                disconnected: { _, _ in }
            )
        )
        let input = Array("{\"too\":\"long\"}\n[1]\n".utf8)
        #expect(input.withUnsafeBytes { write(toServer[1], $0.baseAddress, $0.count) } == input.count)
        close(toServer[1])
        let first = try await errors.next(timeout: .seconds(10), what: "the error")
        #expect(first.map { String(decoding: $0, as: UTF8.self) } == "error frameTooLarge")
        let second = try await errors.next(timeout: .seconds(10), what: "the frame")
        #expect(second == Array("[1]".utf8))
    }
}
