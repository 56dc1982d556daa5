/// Finds `@user_id` mentions in a comment body or a task description.
///
/// A mention is `@` at the start of the text or after a character that cannot be part of a user id,
/// followed by a user id (`[A-Za-z0-9._@-]`, as the directory allows). Trailing `.` and `-` are dropped
/// until the id names a user of the directory (so "thanks @alice." mentions `alice`); a name that is no
/// user of the directory is no mention. `@@alice` and `bob@alice` mention nobody.
enum Mentions {
    /// The directory users `text` mentions, each once, in order of first mention.
    static func users(in text: String, isUser: (UserID) -> Bool) -> [UserID] {
        guard text.utf8.contains(UInt8(ascii: "@")) else { return [] }
        let bytes = Array(text.utf8)
        var found: [UserID] = []
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "@"), index == 0 || !isIDByte(bytes[index - 1]) else {
                index += 1
                continue
            }
            var end = index + 1
            while end < bytes.count, isIDByte(bytes[end]) { end += 1 }
            var candidateEnd = end
            while candidateEnd > index + 1 {
                let id = UserID(String(decoding: bytes[(index + 1)..<candidateEnd], as: UTF8.self))
                if id.text.utf8.count <= IdentityValidator.userIDLength, isUser(id) {
                    if !found.contains(id) { found.append(id) }
                    break
                }
                let last = bytes[candidateEnd - 1]
                guard last == UInt8(ascii: ".") || last == UInt8(ascii: "-") else { break }
                candidateEnd -= 1
            }
            index = max(end, index + 1)
        }
        return found
    }

    private static func isIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "@"),
            UInt8(ascii: "-"):
            true
        default: false
        }
    }
}
