/// Checks user and token fields, throwing -32602 errors that name the field.
enum IdentityValidator {
    static let userIDLength = 64
    static let nameLength = 200
    static let urlLength = 2048
    static let emailLength = 254
    static let labelLength = 200

    /// 1-64 characters of `[A-Za-z0-9._@-]`.
    static func userID(_ id: UserID, field: String = "user_id") throws(EngineError) -> UserID {
        let text = id.text
        let allowed = text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "@"),
                UInt8(ascii: "-"):
                true
            default: false
            }
        }
        guard !text.isEmpty, text.utf8.count <= userIDLength, allowed else {
            throw .invalid(
                field, "Field \(field) must be 1-\(userIDLength) characters of A-Z, a-z, 0-9, '.', '_', '@', '-'.")
        }
        return id
    }

    static func name(_ text: String) throws(EngineError) -> String {
        if text.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
            throw .invalid("name", "Name must not be empty.")
        }
        try Validator.length(text, "name", nameLength)
        return text
    }

    /// An absolute `http` or `https` URL with a host and no whitespace; deliberately light.
    static func avatarURL(_ text: String) throws(EngineError) -> String {
        let lower = text.lowercased()
        let rest =
            lower.hasPrefix("https://") ? lower.dropFirst(8) : lower.hasPrefix("http://") ? lower.dropFirst(7) : nil
        guard let rest, let host = rest.split(separator: "/", omittingEmptySubsequences: false).first,
            !host.isEmpty, text.utf8.count <= urlLength,
            !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 })
        else {
            throw .invalid("avatar_url", "Field avatar_url must be an http or https URL of at most \(urlLength) bytes.")
        }
        return text
    }

    /// `local@domain` with a dot in the domain and no whitespace; deliberately light.
    static func email(_ text: String) throws(EngineError) -> String {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."), text.utf8.count <= emailLength,
            !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 })
        else {
            throw .invalid("email", "Field email must look like name@example.com (at most \(emailLength) bytes).")
        }
        return text
    }

    static func role(_ text: String) throws(EngineError) -> Role {
        guard let role = Role(rawValue: text) else {
            throw .invalid("role", "Role must be one of admin, agent, member, not \(text).")
        }
        return role
    }

    static func label(_ text: String) throws(EngineError) -> String {
        try Validator.length(text, "label", labelLength)
        return text
    }

    /// A page number and size for `users.list`, with the same bounds as `tasks.list`.
    static func paging(page: Int, limit: Int) throws(EngineError) {
        guard (1...TaskLimits.pageNumber).contains(page) else {
            throw .invalid("page", "Page must be between 1 and \(TaskLimits.pageNumber).")
        }
        guard (1...TaskLimits.pageSize).contains(limit) else {
            throw .invalid("limit", "Limit must be between 1 and \(TaskLimits.pageSize).")
        }
    }
}
