import JSONRPC
import Testing

struct ContentLengthFramerTests {
    static let bodies = ["{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", "{\"text\":\"héllo €😀\"}", "[]"]

    static func framed(_ body: String, headers: String? = nil) -> [UInt8] {
        let length = body.utf8.count
        let header = headers ?? "Content-Length: \(length)\r\n\r\n"
        return Array(header.utf8) + Array(body.utf8)
    }

    var stream: [UInt8] { Self.bodies.flatMap { Self.framed($0) } }
    var expected: [FrameEvent] { Self.bodies.map { .frame(Array($0.utf8)) } }

    @Test func manyFramesInOneChunk() {
        var framer = ContentLengthFramer()
        #expect(decode(stream, cutAt: [], with: &framer) == expected)
    }

    @Test func splitAtEveryByteOffset() {
        for cut in 0...stream.count {
            var framer = ContentLengthFramer()
            #expect(decode(stream, cutAt: [cut], with: &framer) == expected, "cut at \(cut)")
        }
    }

    @Test func oneByteAtATime() {
        var framer = ContentLengthFramer()
        #expect(decode(stream, cutAt: Array(1..<stream.count), with: &framer) == expected)
    }

    @Test func lengthCountsBytesNotCharacters() {
        let body = "{\"t\":\"😀😀\"}"
        #expect(body.count != body.utf8.count)
        var framer = ContentLengthFramer()
        let events = decode(Self.framed(body) + Self.framed("[1]"), cutAt: [], with: &framer)
        #expect(events == frames(body, "[1]"))
    }

    @Test(arguments: [
        "content-length: 2\r\n\r\n",
        "CONTENT-LENGTH:2\r\n\r\n",
        "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: 2\r\n\r\n",
        "Content-Length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf8\r\n\r\n",
        "Content-Length: 2\r\nContent-Type: application/json; charset=\"UTF-8\"\r\n\r\n",
        "Content-Length: 2\r\nX-Extra: whatever\r\n\r\n",
        "Content-Length: 2\n\n",
    ])
    func headersAreCaseInsensitiveInAnyOrderWithUTF8Charsets(header: String) {
        var framer = ContentLengthFramer()
        let events = decode(Self.framed("[]", headers: header) + Self.framed("{}"), cutAt: [], with: &framer)
        #expect(events == frames("[]", "{}"))
    }

    @Test func otherCharsetIsRefusedAndTheBodySkipped() {
        var framer = ContentLengthFramer()
        let bad = Self.framed("[]", headers: "Content-Length: 2\r\nContent-Type: text/plain; charset=latin1\r\n\r\n")
        let events = decode(bad + Self.framed("{}"), cutAt: [], with: &framer)
        #expect(events.count == 2)
        guard case .error(let error) = events.first else {
            Issue.record("expected an error, got \(events)")
            return
        }
        #expect(error.kind == .unsupportedCharset)
        #expect(!error.isFatal)
        #expect(events.last == .frame(Array("{}".utf8)))
    }

    @Test(arguments: [3, 10, 30, 45])
    func oversizedBodyIsSkippedAndTheStreamResynchronises(cut: Int) {
        var framer = ContentLengthFramer(maxFrameBytes: 16)
        let big = Self.framed("{\"padding\":\"0123456789abcdef\"}")
        let events = decode(big + Self.framed("{}"), cutAt: [cut], with: &framer)
        #expect(events.count == 2)
        guard case .error(let error) = events.first else {
            Issue.record("expected an error, got \(events)")
            return
        }
        #expect(error.kind == .frameTooLarge)
        #expect(error.responseError.code == 413)
        #expect(events.last == .frame(Array("{}".utf8)))
        #expect(!framer.hasFailed)
    }

    @Test(arguments: [
        ("Content-Type: application/json\r\n\r\n{}", FramingError.Kind.missingContentLength),
        ("Content-Length: abc\r\n\r\n{}", .invalidContentLength),
        ("Content-Length: -2\r\n\r\n{}", .invalidContentLength),
        ("Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", .invalidContentLength),
        ("{\"jsonrpc\":\"2.0\"}\r\n\r\n", .invalidHeader),
        ("Content Length: 2\r\n\r\n{}", .invalidHeader),
    ])
    func badHeaderBlockIsOneFatalError(input: String, kind: FramingError.Kind) {
        var framer = ContentLengthFramer()
        let events = decode(Array(input.utf8) + Self.framed("{}"), cutAt: [], with: &framer)
        #expect(events.count == 1)
        guard case .error(let error) = events.first else {
            Issue.record("expected an error, got \(events)")
            return
        }
        #expect(error.kind == kind)
        #expect(error.isFatal)
        #expect(error.responseError.code == -32700)
        #expect(framer.hasFailed)
    }

    @Test func endlessHeaderBlockIsCappedAndFatal() {
        var framer = ContentLengthFramer(maxHeaderBytes: 100)
        let input = Array(("X-Padding: " + String(repeating: "a", count: 200)).utf8)
        let events = decode(input, cutAt: [50], with: &framer)
        #expect(events.count == 1)
        guard case .error(let error) = events.first else {
            Issue.record("expected an error, got \(events)")
            return
        }
        #expect(error.kind == .headerTooLarge)
        #expect(error.isFatal)
        #expect(error.responseError.code == 413)
    }

    @Test func encodeWritesContentLengthFirstInBytes() {
        let frame = Framing.lsp.frame(Array("{\"t\":\"é\"}".utf8))
        #expect(String(decoding: frame, as: UTF8.self) == "Content-Length: 10\r\n\r\n{\"t\":\"é\"}")
        #expect(String(decoding: Framing.ndjson.frame(Array("{}".utf8)), as: UTF8.self) == "{}\n")
    }
}
