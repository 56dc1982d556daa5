import Testing

@testable import TaskEngine

struct MediaTypeTests {
    static let samples: [(bytes: [UInt8], type: String)] = [
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13], "image/png"),
        ([0xFF, 0xD8, 0xFF, 0xE0, 0, 16], "image/jpeg"),
        (Array("GIF89a\u{1}\u{0}".utf8), "image/gif"),
        (Array("GIF87a".utf8), "image/gif"),
        (Array("RIFF".utf8) + [0x24, 0, 0, 0] + Array("WEBPVP8 ".utf8), "image/webp"),
        (Array("RIFF".utf8) + [0x24, 0, 0, 0] + Array("WAVEfmt ".utf8), "application/octet-stream"),
        (Array("%PDF-1.7\n".utf8), "application/pdf"),
        ([0x50, 0x4B, 0x03, 0x04, 20, 0], "application/zip"),
        ([0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18), "application/zip"),
        ([0x1F, 0x8B, 0x08, 0], "application/gzip"),
        (Array("{\"a\": [1, 2]}\n".utf8), "application/json"),
        (Array("  [true]".utf8), "application/json"),
        (Array("{not json".utf8), "text/plain"),
        (Array("42".utf8), "text/plain"),
        (Array("Contacted customer\r\n\tvia e-mail: «ok»\n".utf8), "text/plain"),
        (Array("\u{FEFF}with a byte order mark".utf8), "text/plain"),
        ([0x68, 0x69, 0x00], "application/octet-stream"),
        ([0x68, 0xC3, 0x28], "application/octet-stream"),
        ([0x1B, 0x5B], "application/octet-stream"),
        ([], "application/octet-stream"),
    ]

    @Test(arguments: samples.indices)
    func detectsTheTypeFromContent(_ index: Int) {
        let sample = Self.samples[index]
        #expect(MediaType.detect(sample.bytes) == sample.type)
    }

    @Test func validatesGivenTypes() throws {
        for good in ["image/png", "application/vnd.ms-excel", "text/plain; charset=utf-8", "a/b+c"] {
            #expect(try MediaType.validate(good) == good)
        }
        for bad in [
            "", "png", "image/", "/png", "a/b/c", "te xt/plain", "text/plain\n", String(repeating: "a", count: 300),
        ] {
            #expect(throws: EngineError.self, "\(bad)") { try MediaType.validate(bad) }
        }
    }

    @Test func idsKeepThePrefixAndSortByTime() {
        let early = CommentID(raw: 1 << 16).description
        let late = CommentID(raw: 2 << 16).description
        #expect(early.hasPrefix("cmt_") && early.utf8.count == 17 && early < late)
        #expect(CommentID(late)?.raw == 2 << 16)
        #expect(AttachmentID(late)?.raw == nil)
        #expect(AttachmentID("att_")?.raw == nil)
        #expect(AttachmentID("att_!!!!!!!!!!!!!")?.raw == nil)
    }
}
