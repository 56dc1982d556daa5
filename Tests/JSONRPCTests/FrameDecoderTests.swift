import JSONRPC
import Testing

struct FrameDecoderTests {
    @Test(arguments: ["{\"a\":1}\n", "  \r\n[1]\n", "\"scalar\"\n", "1\n"])
    func jsonFirstByteSelectsNDJSON(input: String) {
        var decoder = FrameDecoder(mode: .auto)
        var events: [FrameEvent] = []
        decoder.push(Array(input.utf8), into: &events)
        #expect(decoder.framing == .ndjson)
        #expect(events.count == 1)
    }

    @Test func headerLetterSelectsLSPAndTheChoiceIsLocked() {
        var decoder = FrameDecoder(mode: .auto)
        let stream = Array("\r\nContent-Length: 2\r\n\r\n{}Content-Length: 2\r\n\r\n[]".utf8)
        for cut in 0...stream.count {
            var decoder = FrameDecoder(mode: .auto)
            #expect(decode(stream, cutAt: [cut], with: &decoder) == frames("{}", "[]"), "cut at \(cut)")
            #expect(decoder.framing == .lsp)
        }
        var events: [FrameEvent] = []
        decoder.push(Array("Content-Length: 2\r\n\r\n{}".utf8), into: &events)
        // After LSP was chosen, a bare JSON line is not a frame: it is an unusable header block.
        decoder.push(Array("{\"a\":1}\n\n".utf8), into: &events)
        #expect(events.first == .frame(Array("{}".utf8)))
        #expect(decoder.hasFailed)
    }

    @Test func whitespaceOnlyDecidesNothing() {
        var decoder = FrameDecoder(mode: .auto)
        var events: [FrameEvent] = []
        decoder.push(Array(" \r\n\t".utf8), into: &events)
        #expect(decoder.framing == nil)
        #expect(events.isEmpty)
    }

    @Test func forcedFramingIgnoresTheFirstByte() {
        var decoder = FrameDecoder(mode: .ndjson)
        var events: [FrameEvent] = []
        decoder.push(Array("Content-Length: 2\n".utf8), into: &events)
        #expect(decoder.framing == .ndjson)
        #expect(events == frames("Content-Length: 2"))
    }
}
