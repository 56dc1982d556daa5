/// The rate limit of each operation, by operation name.
///
/// Each method declares the operation it counts against (``MethodDeclaration/rateLimit``), or none.
/// Limits are per effective user (with `on_behalf_of`, the user acted for) and operation, over a sliding
/// window. The defaults follow the spec's table for create, update, list and comment; the rest are
/// taskwire's. `system` is never limited.
package struct RateLimitPolicy: Sendable, Equatable {
    /// The default limit of every operation.
    package static let defaults: [String: RateLimiter.Limit] = [
        "create": .init(count: 100, window: 3600),
        "update": .init(count: 200, window: 3600),
        "list": .init(count: 60, window: 60),
        "comment": .init(count: 50, window: 3600),
        "attach": .init(count: 50, window: 3600),
        "read": .init(count: 600, window: 60),
        "admin": .init(count: 300, window: 3600),
        "script": .init(count: 300, window: 3600),
    ]

    /// The limit of each operation; empty when limits are off.
    package private(set) var limits: [String: RateLimiter.Limit]

    /// The defaults.
    package static let standard = RateLimitPolicy(limits: defaults)

    /// No limits at all (`--rate-limit off`, benchmarks).
    package static let off = RateLimitPolicy(limits: [:])

    package init(limits: [String: RateLimiter.Limit]) { self.limits = limits }

    /// Whether any limit is in force.
    package var isOff: Bool { limits.isEmpty }

    /// Applies one `--rate-limit` value: `off`, or `OPERATION=COUNT/WINDOW` (`create=100/hour`).
    ///
    /// - Returns: a sentence describing the problem, or `nil` when the value was applied.
    package mutating func apply(_ text: String) -> String? {
        if text == "off" {
            limits = [:]
            return nil
        }
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let limit = RateLimiter.Limit(parsing: parts[1]) else {
            return "--rate-limit must be off or OPERATION=COUNT/WINDOW (for example create=100/hour), not '\(text)'."
        }
        guard Self.defaults[parts[0]] != nil else {
            let names = Self.defaults.keys.sorted().joined(separator: ", ")
            return "--rate-limit operation must be one of \(names), not '\(parts[0])'."
        }
        limits[parts[0]] = limit
        return nil
    }
}
