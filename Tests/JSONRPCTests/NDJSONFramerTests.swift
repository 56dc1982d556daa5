import JSONRPC
import Testing

/// Runs `stream` through a framer in pieces cut at the given offsets and returns everything it produced.
func decode(_ stream: [UInt8], cutAt cuts: [Int], with framer: inout some FramerProtocol) -> [FrameEvent] {
    var events: [FrameEvent] = []
    var start = 0
    for cut in cuts + [stream.count] where cut >= start {
        framer.feed(Array(stream[start..<cut]), into: &events)
        start = cut
    }
    return events
}

/// Lets the tests drive every framer the same way.
protocol FramerProtocol {
    mutating func feed(_ bytes: [UInt8], into events: inout [FrameEvent])
}

extension NDJSONFramer: FramerProtocol {
    mutating func feed(_ bytes: [UInt8], into events: inout [FrameEvent]) { push(bytes, into: &events) }
}

extension ContentLengthFramer: FramerProtocol {
    mutating func feed(_ bytes: [UInt8], into events: inout [FrameEvent]) { push(bytes, into: &events) }
}

extension FrameDecoder: FramerProtocol {
    mutating func feed(_ bytes: [UInt8], into events: inout [FrameEvent]) { push(bytes, into: &events) }
}

func frames(_ texts: String...) -> [FrameEvent] { texts.map { .frame(Array($0.utf8)) } }

struct NDJSONFramerTests {
    let stream = Array("{\"a\":1}\n{\"b\":\"é€😀\"}\r\n\n   \n[1,2]\n".utf8)
    let expected = frames("{\"a\":1}", "{\"b\":\"é€😀\"}", "[1,2]")

    @Test func wholeStreamInOneChunkYieldsEveryFrame() {
        var framer = NDJSONFramer()
        #expect(decode(stream, cutAt: [], with: &framer) == expected)
    }

    @Test func splitAtEveryByteOffsetYieldsTheSameFrames() {
        for cut in 0...stream.count {
            var framer = NDJSONFramer()
            #expect(decode(stream, cutAt: [cut], with: &framer) == expected, "cut at \(cut)")
        }
    }

    @Test func oneByteAtATimeKeepsMultiByteCharactersWhole() {
        var framer = NDJSONFramer()
        #expect(decode(stream, cutAt: Array(1..<stream.count), with: &framer) == expected)
    }

    @Test func crlfAndBlankLinesAreIgnored() {
        var framer = NDJSONFramer()
        let events = decode(Array("\r\n\r\n{\"x\":1}\r\n\r\n".utf8), cutAt: [], with: &framer)
        #expect(events == frames("{\"x\":1}"))
    }

    @Test func partialLineWaitsForItsNewline() {
        var framer = NDJSONFramer()
        var events: [FrameEvent] = []
        framer.push(Array("{\"x\":".utf8), into: &events)
        #expect(events.isEmpty)
        framer.push(Array("1}\n".utf8), into: &events)
        #expect(events == frames("{\"x\":1}"))
    }

    @Test(arguments: [0, 5, 9, 15, 20, 33])
    func oversizedLineIsReportedOnceAndTheNextLineStillArrives(cut: Int) {
        var framer = NDJSONFramer(maxFrameBytes: 10)
        let stream = Array("{\"long\":\"abcdefghijklmnop\"}\n{\"ok\":1}\n".utf8)
        let events = decode(stream, cutAt: [cut], with: &framer)
        #expect(events.count == 2)
        guard case .error(let error) = events.first else {
            Issue.record("expected an error first, got \(events)")
            return
        }
        #expect(error.kind == .frameTooLarge)
        #expect(!error.isFatal)
        #expect(error.responseError.code == 413)
        #expect(error.responseError.name == "too_large")
        #expect(events.last == .frame(Array("{\"ok\":1}".utf8)))
    }

    @Test func lineOfExactlyTheLimitIsAccepted() {
        var framer = NDJSONFramer(maxFrameBytes: 8)
        let events = decode(Array("{\"a\":12}\r\n".utf8), cutAt: [3], with: &framer)
        #expect(events == frames("{\"a\":12}"))
    }
}
