import JSONRPC
import Testing

/// What the framers make of the end of the stream: a last NDJSON line without its newline is a message;
/// an LSP frame cut short is not, and its dropped bytes are counted.
struct EndOfInputTests {
    @Test func lastNDJSONLineWithoutNewlineIsAFrameAtEveryCut() {
        let stream = Array("{\"a\":1}\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}".utf8)
        for cut in 0...stream.count {
            var framer = NDJSONFramer()
            var events = decode(stream, cutAt: [cut], with: &framer)
            framer.finish(into: &events)
            #expect(
                events == frames("{\"a\":1}", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"), "cut at \(cut)")
        }
    }

    @Test(arguments: ["", "\n", "  \r", "{\"a\":1}\n", "{\"a\":1}\n \t"])
    func nothingButWhitespaceAfterTheLastNewlineAddsNothing(input: String) {
        var framer = NDJSONFramer()
        var events = decode(Array(input.utf8), cutAt: [], with: &framer)
        let before = events
        framer.finish(into: &events)
        #expect(events == before)
    }

    @Test func lastLineKeepsItsTrimmingAndItsCarriageReturn() {
        var framer = NDJSONFramer()
        var events = decode(Array("  [1,2]\r".utf8), cutAt: [3], with: &framer)
        framer.finish(into: &events)
        #expect(events == frames("[1,2]"))
    }

    @Test func anOversizedLastLineIsReportedOnceAndNotDelivered() {
        var framer = NDJSONFramer(maxFrameBytes: 8)
        var events = decode(Array("{\"a\":\"0123456789\"}".utf8), cutAt: [4], with: &framer)
        framer.finish(into: &events)
        #expect(events.count == 1)
        guard case .error(let error) = events.first else {
            Issue.record("expected a too-large error, got \(events)")
            return
        }
        #expect(error.kind == .frameTooLarge)
    }

    @Test func aLastLineJustUnderTheLimitIsDelivered() {
        var framer = NDJSONFramer(maxFrameBytes: 8)
        var events = decode(Array("[1,2,3]".utf8), cutAt: [], with: &framer)
        framer.finish(into: &events)
        #expect(events == frames("[1,2,3]"))
    }

    @Test func finishingTwiceDeliversTheLastLineOnce() {
        var framer = NDJSONFramer()
        var events = decode(Array("[1]".utf8), cutAt: [], with: &framer)
        framer.finish(into: &events)
        framer.finish(into: &events)
        #expect(events == frames("[1]"))
    }

    @Test func anLSPBodyCutShortIsDroppedAndCounted() {
        var framer = ContentLengthFramer()
        var events: [FrameEvent] = []
        framer.push(Array("Content-Length: 10\r\n\r\n{\"a\":".utf8), into: &events)
        #expect(events.isEmpty)
        #expect(framer.finish() == 5)
        #expect(framer.finish() == 0)
    }

    @Test func anLSPHeaderBlockCutShortIsDroppedAndCounted() {
        var framer = ContentLengthFramer()
        var events: [FrameEvent] = []
        framer.push(Array("Content-Length: 2\r\n{}".utf8), into: &events)
        #expect(events.isEmpty)
        #expect(framer.finish() > 0)
    }

    @Test func anLSPStreamEndingBetweenFramesDropsNothing() {
        var framer = ContentLengthFramer()
        var events: [FrameEvent] = []
        framer.push(Array("Content-Length: 2\r\n\r\n{}\r\n".utf8), into: &events)
        #expect(events == frames("{}"))
        #expect(framer.finish() == 0)
    }

    @Test func theDecoderFinishesWithTheFramingItChose() {
        var ndjson = FrameDecoder(mode: .auto)
        var events: [FrameEvent] = []
        ndjson.push(Array(" {\"id\":1}".utf8), into: &events)
        #expect(ndjson.finish(into: &events) == 0)
        #expect(events == frames("{\"id\":1}"))

        var lsp = FrameDecoder(mode: .auto)
        events = []
        lsp.push(Array("Content-Length: 4\r\n\r\n{}".utf8), into: &events)
        #expect(lsp.finish(into: &events) == 2)
        #expect(events.isEmpty)

        var undecided = FrameDecoder(mode: .auto)
        events = []
        undecided.push(Array("  \n".utf8), into: &events)
        #expect(undecided.finish(into: &events) == 0)
        #expect(events.isEmpty)
    }
}
