#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small structured logger: a label, a level threshold, and `key=value` fields, one bounded line per
/// event, written to stderr (never stdout, which carries protocol frames).
///
/// Lines look like `2024-01-15T10:00:00.123Z warning transport: outbound queue full conn=3 bytes=67108864`.
/// Values are quoted when they contain spaces and cut short so that a log line never carries a whole payload.
package struct Logger: Sendable {
    /// How important an event is; events below the logger's level are dropped before any formatting.
    package enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error

        /// The level's name as given to `--log-level`.
        package var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }

        /// The level for a `--log-level` value.
        package init?(name: String) {
            guard let level = Self.allCases.first(where: { $0.name == name }) else { return nil }
            self = level
        }

        package static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Where formatted lines go; the default writes each line to stderr with one `write(2)`.
    package typealias Sink = @Sendable (_ line: String) -> Void

    /// The longest value kept in a field.
    package static let maxValueLength = 200
    /// The longest line written, newline included.
    package static let maxLineLength = 2048

    /// The component that logs ("transport", "server").
    package var label: String
    /// The lowest level written.
    package var level: Level
    private let sink: Sink

    /// A logger writing to `sink`, or to stderr when none is given.
    package init(label: String, level: Level = .info, sink: Sink? = nil) {
        self.label = label
        self.level = level
        self.sink = sink ?? Logger.standardError
    }

    /// The same logger under another label.
    package func labelled(_ label: String) -> Logger {
        var copy = self
        copy.label = label
        return copy
    }

    /// Whether events at `level` are written.
    package func isEnabled(_ level: Level) -> Bool { level >= self.level }

    /// Writes one event when its level is enabled; the message and fields are only built when it is.
    package func log(
        _ level: Level, _ message: @autoclosure () -> String,
        _ fields: @autoclosure () -> KeyValuePairs<String, String> = [:]
    ) {
        guard isEnabled(level) else { return }
        var line = "\(Logger.timestamp()) \(level.name) \(label): \(Logger.clean(message()))"
        for (key, value) in fields() {
            line += " \(key)=\(Logger.quoted(value))"
        }
        if line.utf8.count >= Logger.maxLineLength {
            line = String(decoding: line.utf8.prefix(Logger.maxLineLength - 4), as: UTF8.self) + "..."
        }
        sink(line + "\n")
    }

    /// Logs at debug level.
    package func debug(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.debug, message(), fields)
    }

    /// Logs at info level.
    package func info(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.info, message(), fields)
    }

    /// Logs at warning level.
    package func warning(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.warning, message(), fields)
    }

    /// Logs at error level.
    package func error(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.error, message(), fields)
    }

    private static func clean(_ text: String) -> String {
        var result = ""
        for character in text.prefix(maxValueLength * 2) {
            result += character.isNewline ? " " : String(character)
        }
        return text.count > maxValueLength * 2 ? result + "..." : result
    }

    private static func quoted(_ value: String) -> String {
        var text = clean(String(value.prefix(maxValueLength)))
        if value.count > maxValueLength { text += "..." }
        guard text.isEmpty || text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return text }
        return "\"" + text.replacingQuotes() + "\""
    }

    private static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = time_t(spec.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let millis = Int32(spec.tv_nsec / 1_000_000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(millis, 3))Z"
    }

    private static let standardError: Sink = { line in
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                guard let base = buffer.baseAddress else { return }
                let written = write(2, base + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}

extension String {
    fileprivate func replacingQuotes() -> String {
        var result = ""
        for character in self { result += character == "\"" ? "'" : String(character) }
        return result
    }
}
