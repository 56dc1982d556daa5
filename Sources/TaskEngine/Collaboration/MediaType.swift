import JSON

/// MIME types of attachments: detection from content when the client names none, and validation when it
/// does.
package enum MediaType {
    /// The type of content nothing else matches.
    package static let binary = "application/octet-stream"

    private static let signatures: [(prefix: [UInt8], type: String)] = [
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "image/png"),
        ([0xFF, 0xD8, 0xFF], "image/jpeg"),
        (Array("GIF87a".utf8), "image/gif"),
        (Array("GIF89a".utf8), "image/gif"),
        (Array("%PDF-".utf8), "application/pdf"),
        ([0x50, 0x4B, 0x03, 0x04], "application/zip"),
        ([0x50, 0x4B, 0x05, 0x06], "application/zip"),
        ([0x50, 0x4B, 0x07, 0x08], "application/zip"),
        ([0x1F, 0x8B], "application/gzip"),
    ]

    /// The type of `bytes` from their first bytes: PNG, JPEG, GIF, WebP, PDF, ZIP and gzip by their magic
    /// numbers; then a JSON object or array is `application/json` and other UTF-8 text without control
    /// characters (tab, line feed, form feed and carriage return allowed) is `text/plain`; anything else,
    /// and empty content, is `application/octet-stream`.
    package static func detect(_ bytes: [UInt8]) -> String {
        for signature in signatures where bytes.starts(with: signature.prefix) { return signature.type }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), bytes[8..<12].elementsEqual("WEBP".utf8) {
            return "image/webp"
        }
        guard !bytes.isEmpty, isText(bytes) else { return binary }
        let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "["), (try? JSONParser.parse(bytes)) != nil {
            return "application/json"
        }
        return "text/plain"
    }

    private static func isText(_ bytes: [UInt8]) -> Bool {
        for byte in bytes where byte < 0x20 || byte == 0x7F {
            guard byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D else { return false }
        }
        return String(validating: bytes, as: UTF8.self) != nil
    }

    /// Checks a client's MIME type: `type/subtype` made of RFC 6838 name characters, optionally followed by
    /// `;` parameters of printable ASCII, at most ``CollaborationLimits/mimeTypeLength`` characters. It is
    /// kept as given.
    static func validate(_ text: String) throws(EngineError) -> String {
        let invalid = EngineError.invalid(
            "mime_type", "Field mime_type must look like type/subtype, for example image/png.")
        guard text.utf8.count <= CollaborationLimits.mimeTypeLength,
            text.utf8.allSatisfy({ (0x20...0x7E).contains($0) })
        else { throw invalid }
        let essence = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = essence.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(isNameCharacter) }) else {
            throw invalid
        }
        return text
    }

    private static func isNameCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default: "!#$&^_.+-".utf8.contains(byte)
        }
    }
}
