/// Checks `notifications.configure` params, throwing -32602 errors that name the field.
enum NotificationValidator {
    /// A list of known names, duplicates dropped, in the order given; unknown names are listed in the error.
    static func names(_ given: [String], known: [String], field: String) throws(EngineError) -> [String] {
        let unknown = given.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw .invalid(
                field,
                "Unknown \(field): \(unknown.joined(separator: ", ")). Known \(field): \(known.joined(separator: ", "))."
            )
        }
        var seen: [String] = []
        for name in given where !seen.contains(name) { seen.append(name) }
        return seen
    }

    static func remindBeforeMinutes(_ minutes: Int) throws(EngineError) -> Int {
        guard (0...NotificationLimits.remindBeforeMinutes).contains(minutes) else {
            throw .invalid(
                "remind_before_minutes",
                "Field remind_before_minutes must be between 0 and \(NotificationLimits.remindBeforeMinutes), or null.")
        }
        return minutes
    }

    /// An absolute `http` or `https` URL with a host, no whitespace or control characters, and no user info.
    static func webhookURL(_ text: String) throws(EngineError) -> String {
        let lower = text.lowercased()
        let rest =
            lower.hasPrefix("https://") ? lower.dropFirst(8) : lower.hasPrefix("http://") ? lower.dropFirst(7) : nil
        let authority = rest?.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first
        guard let authority, !authority.isEmpty, !authority.hasPrefix(":"), !authority.contains("@"),
            text.utf8.count <= NotificationLimits.webhookURLBytes,
            !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7f })
        else {
            throw .invalid(
                "webhook.url",
                "Field webhook.url must be an http or https URL with a host, of at most "
                    + "\(NotificationLimits.webhookURLBytes) bytes.")
        }
        return text
    }

    static func webhookSecret(_ text: String) throws(EngineError) -> String {
        guard (16...NotificationLimits.webhookSecretBytes).contains(text.utf8.count),
            text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f })
        else {
            throw .invalid(
                "webhook.secret",
                "Field webhook.secret must be 16-\(NotificationLimits.webhookSecretBytes) printable ASCII characters "
                    + "without spaces.")
        }
        return text
    }

    /// A new webhook secret: `whsec_` and 64 hexadecimal digits from the system's random generator.
    static func generatedSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        var text = "whsec_"
        for _ in 0..<4 {
            let word = generator.next() as UInt64
            let digits = String(word, radix: 16)
            text += String(repeating: "0", count: 16 - digits.count) + digits
        }
        return text
    }

    /// The notification ids of a `notifications.mark_read`: 1-1000 of them.
    static func notificationIDs(_ ids: [String]) throws(EngineError) -> [String] {
        guard !ids.isEmpty, ids.count <= NotificationLimits.markReadIDs else {
            throw .invalid(
                "notification_ids", "Field notification_ids must list 1-\(NotificationLimits.markReadIDs) ids.")
        }
        return ids
    }
}
