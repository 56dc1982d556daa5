import Dispatch
import Foundation
import JSON
import JSONRPC
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The JSON-RPC 2.0 wire rules, checked against the real `taskwire` binary over stdio with hand-written bytes.
///
/// The same rules are tested in-process (message classifier, dispatcher, framers); here they go through the
/// real pipes, reader thread, session and writer. Every reply is compared byte for byte, except the text of
/// error messages, which is prose: it is cut out of the reply (and must be a sentence) and the rest compared.
struct WireRulesTests {
    // MARK: Ids

    /// Ids the server must echo byte for byte.
    static let echoedIDs = [
        #""abc""#, "42", "1.0", "1e3", "1E+3", "-0", "null", "123456789012345678901234567890",
        "-98765432109876543210.0123456789e-30", "1e400", "0", #""""#, #""é→🚀""#, #""tab\tquote\"slash\\""#, #""1""#,
    ]

    @Test(arguments: echoedIDs)
    func idIsEchoedByteForByte(id: String) async throws {
        let server = try await startServer()
        defer { server.kill() }
        server.client.send(body: request(id: id))
        let reply = try #require(try await server.client.nextBody())
        try expectReply(reply, success(id: id))
        #expect(try JSONParser.parse(reply)["id"] == JSONParser.parse(id))
        // Error replies and batch replies echo it just the same.
        server.client.send(body: request(id: id, method: "nope"))
        try expectReply(try await server.client.nextBody(), methodNotFound(id: id, method: "nope"))
        server.client.send(body: #"{"jsonrpc":"1.0","id":\#(id),"method":"ping"}"#)
        try expectReply(try await server.client.nextBody(), failure(id: id, code: -32600, data: invalidRequest))
        server.client.send(body: "[\(request(id: id)),\(request(id: id, method: "nope"))]")
        try expectReply(
            try await server.client.nextBody(), "[\(success(id: id)),\(methodNotFound(id: id, method: "nope"))]")
    }

    @Test func escapedStringIDIsEchoedAsTheSameString() async throws {
        let server = try await startServer()
        defer { server.kill() }
        // JSON escapes name characters, not bytes: the echo is the same string, written in the server's form.
        server.client.send(body: request(id: #""\u00e9\/\u0041""#))
        try expectReply(try await server.client.nextBody(), success(id: #""é/A""#))
    }

    @Test(arguments: ["true", "false", "{}", #"{"id":1}"#, "[1]", "[]"])
    func idThatIsNotStringNumberOrNullIsInvalidRequestWithNullID(id: String) async throws {
        let server = try await startServer()
        defer { server.kill() }
        server.client.send(body: request(id: id))
        try expectReply(try await server.client.nextBody(), failure(id: "null", code: -32600, data: invalidRequest))
        server.client.send(body: "[\(request(id: id)),\(request(id: "2"))]")
        try expectReply(
            try await server.client.nextBody(),
            "[\(failure(id: "null", code: -32600, data: invalidRequest)),\(success(id: "2"))]"
        )
    }

    // MARK: Bodies that are not requests

    @Test(arguments: [
        ("1", invalidRequest), (#""x""#, invalidRequest), ("null", invalidRequest), ("true", invalidRequest),
        ("-2.5e3", invalidRequest), ("{", parseError), (#"{"jsonrpc":"2.0","id":1,"method":"ping""#, parseError),
        ("[1,]", parseError), (#"{"a":1}}"#, parseError), ("nul", parseError), (#"{"id":01}"#, parseError),
        (#"{'id':1}"#, parseError), (#"{"jsonrpc":"2.0","id":"\x","method":"ping"}"#, parseError),
        (#"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#, parseError),
    ])
    func bodyThatIsNotARequestObjectGetsOneErrorWithNullID(body: String, data: String) async throws {
        let server = try await startServer()
        defer { server.kill() }
        server.client.send(body: body)
        let code = data == parseError ? -32700 : -32600
        try expectReply(try await server.client.nextBody(), failure(id: "null", code: code, data: data))
        try await expectNothingElse(server)
    }

    @Test(arguments: [
        #"{"jsonrpc":"2.0","id":7,"method":5}"#, #"{"jsonrpc":"1.0","id":7,"method":"ping"}"#,
        #"{"id":7,"method":"ping"}"#, #"{"jsonrpc":2.0,"id":7,"method":"ping"}"#,
        #"{"jsonrpc":"2.0 ","id":7,"method":"ping"}"#, #"{"jsonrpc":"2.0","id":7}"#,
        #"{"method":null,"id":7,"jsonrpc":"2.0"}"#, #"{"jsonrpc":"2.0","id":7,"method":"ping","params":5}"#,
        #"{"jsonrpc":"2.0","id":7,"method":"ping","params":"x"}"#,
        #"{"jsonrpc":"2.0","id":7,"method":"ping","params":null}"#,
    ])
    func malformedRequestWhoseIDCanBeReadIsAnsweredWithThatID(body: String) async throws {
        let server = try await startServer()
        defer { server.kill() }
        server.client.send(body: body)
        try expectReply(try await server.client.nextBody(), failure(id: "7", code: -32600, data: invalidRequest))
        try await expectNothingElse(server)
    }

    @Test(arguments: [
        #"{"jsonrpc":"2.0","method":1,"params":"bar"}"#, #"{"foo":"boo"}"#, "{}",
        #"{"jsonrpc":"1.0","method":"ping"}"#, #"{"jsonrpc":"2.0","method":"ping","params":3}"#,
    ])
    func malformedMessageWithoutAnIDIsAnsweredWithNullID(body: String) async throws {
        let server = try await startServer()
        defer { server.kill() }
        server.client.send(body: body)
        try expectReply(try await server.client.nextBody(), failure(id: "null", code: -32600, data: invalidRequest))
        try await expectNothingElse(server)
    }

    // MARK: Methods and params

    @Test(arguments: ["nope", "tasks.nope", "Ping", "", "rpc.Discover", "$/cancelRequest", "$/progress"])
    func unknownMethodIsMethodNotFoundNamingIt(method: String) async throws {
        let server = try await startServer()
        defer { server.kill() }
        server.client.send(body: request(id: #""m""#, method: method, params: "{}"))
        try expectReply(try await server.client.nextBody(), methodNotFound(id: #""m""#, method: method))
    }

    @Test(arguments: [
        ("[]", failure(id: "1", code: -32602, data: invalidParams)),
        ("[1]", failure(id: "1", code: -32602, data: invalidParams)),
        (#"{"x":1}"#, failure(id: "1", code: -32602, data: #"{"error":"invalid_params","field":"x"}"#)),
        ("{}", success(id: "1")),
    ])
    func pingTakesNoParams(params: String, expected: String) async throws {
        let server = try await startServer()
        defer { server.kill() }
        server.client.send(body: request(id: "1", params: params))
        try expectReply(try await server.client.nextBody(), expected)
    }

    // MARK: Batches

    @Test(arguments: [
        ("[1,2,3]", "[\(nullInvalid),\(nullInvalid),\(nullInvalid)]"),
        ("[]", nullInvalid),
        ("[ ]", nullInvalid),
        ("[1]", "[\(nullInvalid)]"),
        ("[[]]", "[\(nullInvalid)]"),
        (
            "[\(request(id: "1")),\(notification("ping")),\(request(id: "2", method: "nope")),"
                + #"{"foo":"boo"},\#(request(id: "3", params: "[1]")),{"jsonrpc":"2.0","id":4,"result":0},"#
                + "\(request(id: #""five""#))]",
            "[\(success(id: "1")),\(methodNotFound(id: "2", method: "nope")),\(nullInvalid),"
                + "\(failure(id: "3", code: -32602, data: invalidParams)),\(success(id: #""five""#))]"
        ),
    ])
    func batchIsAnsweredWithOneArrayInOrder(body: String, expected: String) async throws {
        let server = try await startServer()
        defer { server.kill() }
        server.client.send(body: body)
        try expectReply(try await server.client.nextBody(), expected)
        try await expectNothingElse(server)
    }

    @Test func batchOverTheLimitGetsOneTooLargeReplyWithNullID() async throws {
        let server = try await startServer(arguments: ["--in-memory", "--max-batch", "2"])
        defer { server.kill() }
        server.client.send(body: "[\(request(id: "1")),\(request(id: "2")),\(notification("ping"))]")
        try expectReply(
            try await server.client.nextBody(),
            failure(id: "null", code: 413, data: #"{"error":"too_large","limit":2}"#)
        )
        server.client.send(body: "[\(request(id: "1")),\(request(id: "2"))]")
        try expectReply(try await server.client.nextBody(), "[\(success(id: "1")),\(success(id: "2"))]")
        try await expectNothingElse(server)
    }

    // MARK: Messages without a reply

    @Test(arguments: [
        notification("ping"),
        notification("nope"),
        notification("ping", params: "[1]"),
        notification("ping", params: #"{"x":1}"#),
        notification("$/cancelRequest", params: #"{"id":"unknown"}"#),
        notification("$/cancelRequest"),
        notification("$/cancelRequest", params: #"{"id":true}"#),
        notification("$/progress", params: #"{"token":1}"#),
        "[\(notification("ping")),\(notification("nope")),\(notification("ping", params: "[1]"))]",
        "[\(notification("ping"))]",
        #"{"jsonrpc":"2.0","id":5,"result":{}}"#,
        #"{"jsonrpc":"2.0","id":null,"error":{"code":1,"message":"x"}}"#,
        #"[{"jsonrpc":"2.0","id":5,"result":1},{"jsonrpc":"2.0","id":6,"error":{"code":1,"message":"x"}}]"#,
        #"[{"jsonrpc":"2.0","id":5,"result":1},\#(notification("nope"))]"#,
    ])
    func messageThatNeedsNoReplyGetsNothingAtAll(body: String) async throws {
        let server = try await startServer()
        defer { server.kill() }
        server.client.send(body: body)
        // Requests are answered in arrival order, so a reply to `body` would come before this one.
        server.client.send(body: request(id: #""after""#))
        try expectReply(try await server.client.nextBody(), success(id: #""after""#))
        try await expectNothingElse(server)
    }

    // MARK: Cancellation

    @Test(arguments: Framing.allCases)
    func cancelOfAQueuedRequestAnswersRequestCancelled(framing: Framing) async throws {
        let server = try await startServer(framing)
        defer { server.kill() }
        // A pipe write of at most PIPE_BUF bytes is atomic, so the server reads all four frames at once and its
        // reader handles the cancellation before the processing task can start "a", queued behind 1. Sent
        // separately, the cancellation could arrive after "a" was answered and be ignored.
        server.client.sendRaw(
            frames(
                [
                    request(id: "1"), request(id: #""a""#),
                    notification("$/cancelRequest", params: #"{"id":"a"}"#), request(id: "2"),
                ],
                framing
            )
        )
        try expectReply(try await server.client.nextBody(), success(id: "1"))
        try expectReply(try await server.client.nextBody(), cancelled(id: #""a""#))
        try expectReply(try await server.client.nextBody(), success(id: "2"))
        try await expectNothingElse(server)
    }

    @Test func cancelOfABatchMemberAnswersRequestCancelledInsideTheArray() async throws {
        let server = try await startServer()
        defer { server.kill() }
        server.client.sendRaw(
            frames(
                [
                    "[\(request(id: #""a""#)),\(request(id: #""b""#)),\(request(id: "3", method: "nope"))]",
                    notification("$/cancelRequest", params: #"{"id":"b"}"#),
                ],
                .ndjson
            )
        )
        try expectReply(
            try await server.client.nextBody(),
            "[\(success(id: #""a""#)),\(cancelled(id: #""b""#)),\(methodNotFound(id: "3", method: "nope"))]"
        )
        try await expectNothingElse(server)
    }

    @Test func cancelThatMatchesNoUnansweredRequestIsIgnored() async throws {
        let server = try await startServer()
        defer { server.kill() }
        // Before the request arrives: a cancellation is not remembered for later requests.
        server.client.sendRaw(
            frames([notification("$/cancelRequest", params: #"{"id":"a"}"#), request(id: #""a""#)], .ndjson))
        try expectReply(try await server.client.nextBody(), success(id: #""a""#))
        // After its reply.
        server.client.send(body: notification("$/cancelRequest", params: #"{"id":"a"}"#))
        // Ids match by type and text: the string "1" is not the number 1.
        server.client.sendRaw(
            frames([request(id: "1"), notification("$/cancelRequest", params: #"{"id":"1"}"#)], .ndjson))
        try expectReply(try await server.client.nextBody(), success(id: "1"))
        try await expectNothingElse(server)
    }

    @Test func cancelRequestSentWithAnIDIsMethodNotFoundAndCancelsNothing() async throws {
        let server = try await startServer()
        defer { server.kill() }
        server.client.sendRaw(
            frames(
                [
                    request(id: "1"), request(id: #""a""#),
                    request(id: #""c""#, method: "$/cancelRequest", params: #"{"id":"a"}"#),
                ],
                .ndjson
            )
        )
        try expectReply(try await server.client.nextBody(), success(id: "1"))
        try expectReply(try await server.client.nextBody(), success(id: #""a""#))
        try expectReply(try await server.client.nextBody(), methodNotFound(id: #""c""#, method: "$/cancelRequest"))
        try await expectNothingElse(server)
    }

    // MARK: LSP framing

    /// Header blocks a client may send; `{n}` stands for the body's length in bytes.
    static let headerBlocks = [
        "content-length: {n}\r\n\r\n",
        "Content-Type: application/vscode-jsonrpc; charset=utf8\r\nContent-Length: {n}\r\n\r\n",
        "CONTENT-LENGTH:{n}\ncontent-type: application/vscode-jsonrpc; charset=\"UTF-8\"\n\n",
        "X-Trace: 1\r\nContent-Length:   {n}  \r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n",
        "Content-Length: {n}\r\nContent-Length: {n}\r\n\r\n",
        "\r\n\n  Content-Length: {n}\r\n\r\n",
        "Content-Type: application/vscode-jsonrpc\r\nContent-Length: {n}\r\n\r\n",
    ]

    @Test(arguments: headerBlocks)
    func lspHeadersInAnyCaseAndOrderAreAccepted(headerBlock: String) async throws {
        let server = try await startServer(.lsp)
        defer { server.kill() }
        let id = #""ünï→🚀""#
        server.client.sendRaw(lspFrame(request(id: id), header: headerBlock))
        try expectReply(try await server.client.nextBody(), success(id: id))
        // The connection is still in step: the next frame is read from the right byte.
        server.client.send(body: request(id: "2"))
        try expectReply(try await server.client.nextBody(), success(id: "2"))
        try await expectNothingElse(server)
    }

    @Test func lspRepliesCarryOnlyContentLengthCountingBytes() async throws {
        let server = try rawStdioServer()
        defer { server.kill() }
        let ids = [#""ünï→🚀""#, #""abc""#, "1e3", #""日本語""#]
        var input: [UInt8] = []
        for (offset, id) in ids.enumerated() {
            input += lspFrame(request(id: id), header: Self.headerBlocks[offset % Self.headerBlocks.count])
        }
        input += lspFrame("[\(request(id: #""ü""#)),\(notification("ping"))]", header: Self.headerBlocks[1])
        server.sendAndClose(input)
        var expected = ""
        for id in ids {
            let body = success(id: id)
            expected += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        }
        let batch = "[\(success(id: #""ü""#))]"
        expected += "Content-Length: \(batch.utf8.count)\r\n\r\n\(batch)"
        #expect(Bytes(try await server.outputUntilEnd()) == Bytes(expected))
    }

    @Test(arguments: ["latin1", "\"ISO-8859-1\"", "utf-16", "utf"])
    func lspUnsupportedCharsetIsParseErrorAndTheBodyIsSkipped(charset: String) async throws {
        let server = try await startServer(.lsp)
        defer { server.kill() }
        // The skipped body is itself a valid request: only the charset may stop it from running.
        server.client.sendRaw(
            lspFrame(
                request(id: #""skipped""#),
                header: "Content-Type: text/plain; charset=\(charset)\r\nContent-Length: {n}\r\n\r\n")
        )
        try expectReply(try await server.client.nextBody(), failure(id: "null", code: -32700, data: parseError))
        server.client.send(body: request(id: "2"))
        try expectReply(try await server.client.nextBody(), success(id: "2"))
        try await expectNothingElse(server)
    }

    // MARK: NDJSON framing

    @Test(arguments: [
        ("\n \t\r\n" + request(id: "1") + "\n", success(id: "1") + "\n"),
        ("[\(request(id: "1"))]\n", "[\(success(id: "1"))]\n"),
        ("1\n" + request(id: "1") + "\n", nullInvalid + "\n" + success(id: "1") + "\n"),
        (#""x"\#n"#, nullInvalid + "\n"),
        ("-5\n", nullInvalid + "\n"),
        (
            "}\n" + request(id: "1") + "\n",
            failure(id: "null", code: -32700, data: parseError) + "\n" + success(id: "1") + "\n"
        ),
    ])
    func firstNonWhitespaceByteThatIsNotALetterSelectsNDJSON(input: String, expected: String) async throws {
        let server = try rawStdioServer()
        defer { server.kill() }
        server.sendAndClose(Array(input.utf8))
        let output = try await server.outputUntilEnd()
        #expect(Bytes(maskingMessages(output).masked) == Bytes(expected))
    }

    @Test func ndjsonIgnoresCarriageReturnsBlankLinesAndSurroundingWhitespace() async throws {
        let server = try await startServer()
        defer { server.kill() }
        server.client.sendRaw("\r\n\n  \t\(request(id: "1")) \t\r\n\r\n\n\(request(id: "2"))\r\n   \n")
        try expectReply(try await server.client.nextBody(), success(id: "1"))
        try expectReply(try await server.client.nextBody(), success(id: "2"))
        try await expectNothingElse(server)
    }

    // MARK: Chunking over a real pipe

    @Test(arguments: Framing.allCases)
    func requestsWrittenOneByteAtATimeAreAnsweredIntact(framing: Framing) async throws {
        let server = try await startServer(framing)
        defer { server.kill() }
        let stream = frames(
            [
                request(id: #""é→🚀""#), "[\(request(id: "1")),\(request(id: "2", method: "nope"))]",
                notification("ping"), request(id: "3", params: "[]"), request(id: #""日本""#),
            ],
            framing
        )
        // One write(2) per byte; the server may still gather several in one read when it lags behind, so the
        // exact cuts are pinned by frameCutAtEveryByteAcrossReadsIsAnsweredIntact.
        for byte in stream { server.client.sendRaw([byte]) }
        try await server.client.flush(timeout: .seconds(60))
        try expectReply(try await server.client.nextBody(), success(id: #""é→🚀""#))
        try expectReply(
            try await server.client.nextBody(), "[\(success(id: "1")),\(methodNotFound(id: "2", method: "nope"))]")
        try expectReply(try await server.client.nextBody(), failure(id: "3", code: -32602, data: invalidParams))
        try expectReply(try await server.client.nextBody(), success(id: #""日本""#))
        try await expectNothingElse(server)
    }

    @Test(arguments: Framing.allCases)
    func frameCutAtEveryByteAcrossReadsIsAnsweredIntact(framing: Framing) async throws {
        let server = try await startServer(framing)
        defer { server.kill() }
        let id = #""é→🚀""#
        let target = framing.frame(Array(request(id: id).utf8))
        for cut in 1..<target.count {
            // A pipe write of at most PIPE_BUF bytes is atomic and the server reads up to 64 KiB at a time,
            // so the read that brings the marker request also brings the first `cut` bytes of the target and,
            // the rest being written only after the marker's reply, nothing more: the cut falls there, also
            // inside each multi-byte character of the id.
            server.client.sendRaw(framing.frame(Array(request(id: "\(cut)").utf8)) + target[..<cut])
            try expectReply(try await server.client.nextBody(), success(id: "\(cut)"))
            server.client.sendRaw(Array(target[cut...]))
            try expectReply(try await server.client.nextBody(), success(id: id))
        }
        try await expectNothingElse(server)
    }

    @Test(arguments: Framing.allCases)
    func manyFramesInOneWriteAreAnsweredInOrder(framing: Framing) async throws {
        let server = try await startServer(framing)
        defer { server.kill() }
        let count = 600
        let bodies = (0..<count).map { index in
            index % 3 == 2 ? request(id: "\(index)", method: "nope") : request(id: "\(index)")
        }
        server.client.sendRaw(frames(bodies, framing))
        for index in 0..<count {
            let expected = index % 3 == 2 ? methodNotFound(id: "\(index)", method: "nope") : success(id: "\(index)")
            try expectReply(try await server.client.nextBody(), expected)
        }
        try await expectNothingElse(server)
    }
}

// MARK: - Requests

private func request(id: String, method: String = "ping", params: String? = nil) -> String {
    #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)""# + (params.map { #","params":\#($0)"# } ?? "") + "}"
}

private func notification(_ method: String, params: String? = nil) -> String {
    #"{"jsonrpc":"2.0","method":"\#(method)""# + (params.map { #","params":\#($0)"# } ?? "") + "}"
}

/// Bodies framed and joined, to be written at once.
private func frames(_ bodies: [String], _ framing: Framing) -> [UInt8] {
    bodies.flatMap { framing.frame(Array($0.utf8)) }
}

/// An LSP frame with a hand-written header block, where `{n}` stands for the body's length in bytes.
private func lspFrame(_ body: String, header: String) -> [UInt8] {
    Array(header.replacingOccurrences(of: "{n}", with: String(body.utf8.count)).utf8) + Array(body.utf8)
}

// MARK: - Expected replies (error messages written as `…`)

private let invalidRequest = #"{"error":"invalid_request"}"#
private let parseError = #"{"error":"parse_error"}"#
private let invalidParams = #"{"error":"invalid_params"}"#
private let nullInvalid = failure(id: "null", code: -32600, data: invalidRequest)

private func success(id: String, result: String = "{}") -> String {
    #"{"jsonrpc":"2.0","id":\#(id),"result":\#(result)}"#
}

private func failure(id: String, code: Int, data: String) -> String {
    #"{"jsonrpc":"2.0","id":\#(id),"error":{"code":\#(code),"message":"…","data":\#(data)}}"#
}

private func methodNotFound(id: String, method: String) -> String {
    failure(id: id, code: -32601, data: #"{"error":"method_not_found","method":"\#(method)"}"#)
}

private func cancelled(id: String) -> String {
    failure(id: id, code: -32800, data: #"{"error":"request_cancelled"}"#)
}

// MARK: - Checks

/// Bytes compared exactly, shown as text when a check fails.
private struct Bytes: Equatable, CustomStringConvertible {
    var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(_ text: String) { bytes = Array(text.utf8) }
    var description: String { String(decoding: bytes, as: UTF8.self).debugDescription }
}

/// Checks one reply body byte for byte against `expected`, in which every error message is written `…`.
///
/// The body must parse as JSON; each message it carries must be a sentence.
private func expectReply(
    _ body: [UInt8]?, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let body = try #require(body, "the server closed its stdout", sourceLocation: sourceLocation)
    do {
        _ = try JSONParser.parse(body)
    } catch {
        Issue.record("the reply is not JSON (\(error)): \(Bytes(body))", sourceLocation: sourceLocation)
    }
    let (masked, messages) = maskingMessages(body)
    #expect(Bytes(masked) == Bytes(expected), sourceLocation: sourceLocation)
    for message in messages {
        #expect(
            message.count > 1 && message.hasSuffix("."), "not a sentence: \(message)", sourceLocation: sourceLocation)
    }
}

/// The body with the text of every `"message"` string replaced by `…`, and those texts.
private func maskingMessages(_ body: [UInt8]) -> (masked: [UInt8], messages: [String]) {
    let marker = Array(#""message":""#.utf8)
    var masked: [UInt8] = []
    var messages: [String] = []
    var index = 0
    while index < body.count {
        guard body[index...].starts(with: marker) else {
            masked.append(body[index])
            index += 1
            continue
        }
        masked += marker
        index += marker.count
        var text: [UInt8] = []
        while index < body.count, body[index] != UInt8(ascii: "\"") {
            if body[index] == UInt8(ascii: "\\"), index + 1 < body.count {
                text.append(body[index])
                index += 1
            }
            text.append(body[index])
            index += 1
        }
        messages.append(String(decoding: text, as: UTF8.self))
        masked += Array("…".utf8)
    }
    return (masked, messages)
}

/// Starts `taskwire --in-memory` and locks the connection's framing with a first ping, which also proves
/// the server is up before any malformed input is sent (a first `null` would otherwise select LSP).
private func startServer(
    _ framing: Framing = .ndjson, arguments: [String] = ["--in-memory"]
) async throws -> ServerProcess {
    let server = try ServerProcess(arguments: arguments, framing: framing)
    server.client.send(body: request(id: #""ready""#))
    try expectReply(try await server.client.nextBody(), success(id: #""ready""#))
    return server
}

/// Closes stdin and checks that the server sends nothing more before it ends the stream and exits 0.
private func expectNothingElse(
    _ server: ServerProcess, sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    server.client.closeWriting()
    try await server.client.expectEndOfStream()
    #expect(try await server.waitForExit() == 0, sourceLocation: sourceLocation)
}

/// The real binary over stdio with its stdout kept as raw bytes.
///
/// ``RPCTestClient`` decodes frames and accepts headers in any order, so it cannot tell whether the server
/// writes `Content-Length` first, alone, and counted in bytes; this reads the stream exactly as it arrives.
private func rawStdioServer() throws -> ServerProcess {
    try ServerProcess(output: .bytes, standardError: .discard)
}

extension ServerProcess {
    /// Writes `bytes`, then closes stdin: the server answers everything it received and exits.
    fileprivate func sendAndClose(_ bytes: [UInt8]) {
        client.sendRaw(bytes)
        client.closeWriting()
    }

    /// Everything the server writes to stdout until it closes it; each wait for more has a timeout.
    fileprivate func outputUntilEnd(timeout: Duration = .seconds(10)) async throws -> [UInt8] {
        try await client.readToEnd(timeout: timeout)
    }
}
