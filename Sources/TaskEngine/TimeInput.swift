/// A time as a client sent it: RFC 3339 text, or Unix epoch seconds (what BASIC's `NOW() + 24 * 3600` gives).
package enum TimeInput: Sendable, Equatable {
    case text(String)
    case epochSeconds(Double)

    /// The instant, or `nil` when the text is not RFC 3339 or the number is outside years 1-9999.
    package var timestamp: Timestamp? {
        switch self {
        case .text(let text): Timestamp(rfc3339: text)
        case .epochSeconds(let seconds): Timestamp(epochSeconds: seconds)
        }
    }
}
