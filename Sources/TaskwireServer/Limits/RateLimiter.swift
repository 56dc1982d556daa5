import Locking
package import PostgresStore
package import TaskEngine

/// Per-user, per-operation sliding-window rate limits (the spec's "Rate Limits" table).
///
/// Each (user, operation) pair keeps the times of its admitted calls within the window; a call is admitted
/// while fewer than `count` calls happened in the last `window` seconds. The limiter takes the current time
/// as an argument, so tests drive it with a fake clock and nothing sleeps.
package final class RateLimiter: Sendable {
    /// How many calls a window admits.
    package struct Limit: Sendable, Hashable, CustomStringConvertible {
        package var count: Int
        package var window: Double

        package init(count: Int, window: Double) {
            self.count = count
            self.window = window
        }

        /// Parses `COUNT/WINDOW` where the window is `second`, `minute`, `hour`, `day` or a number of seconds
        /// (`100/hour`, `60/minute`, `5/30s`).
        /// The longest window accepted: a year. Longer ones are refused rather than overflowing `retry_after`.
        package static let longestWindow: Double = 366 * 86_400

        package init?(parsing text: String) {
            let parts = text.split(separator: "/", maxSplits: 1)
            guard parts.count == 2, let count = Int(parts[0]), count > 0 else { return nil }
            let unit = parts[1].lowercased()
            switch unit {
            case "s", "sec", "second": window = 1
            case "m", "min", "minute": window = 60
            case "h", "hour": window = 3600
            case "d", "day": window = 86_400
            default:
                let digits = unit.hasSuffix("s") ? String(unit.dropLast()) : unit
                guard let seconds = Double(digits), seconds > 0, seconds <= Self.longestWindow else { return nil }
                window = seconds
            }
            self.count = count
        }

        package var description: String {
            switch window {
            case 1: "\(count)/second"
            case 60: "\(count)/minute"
            case 3600: "\(count)/hour"
            case 86_400: "\(count)/day"
            default: "\(count)/\(window)s"
            }
        }
    }

    /// The outcome of asking to make one call.
    package enum Decision: Sendable, Equatable {
        case admitted
        /// Refused; the earliest retry that would be admitted is this many seconds away (at least 1).
        case refused(retryAfterSeconds: Int)
    }

    private struct Key: Hashable {
        var user: UserID
        var operation: String
    }

    private let limits: [String: Limit]
    private let calls = Mutex<[Key: [Double]]>([:])
    /// The calls other servers on the same PostgreSQL database admitted, as they last reported them
    /// (``shareCalls(now:)`` and ``receiveSharedCalls(_:)``): counted with this server's own.
    private let shared = Mutex<(counts: [Key: (calls: Int, oldest: Double)], at: Double)>(([:], 0))

    /// How long, in seconds, the other servers' report counts after it arrived: it is replaced every second
    /// while the database answers, and a server cut off from it falls back to its own calls.
    package static let sharedReportLifetime: Double = 10

    /// A limiter with a limit per operation name; operations without a limit are never refused.
    package init(limits: [String: Limit]) {
        self.limits = limits
    }

    /// The limit configured for an operation.
    package func limit(for operation: String) -> Limit? { limits[operation] }

    /// Records a call by `user` at time `now` (seconds) when the limit admits it.
    package func admit(user: UserID, operation: String, now: Double) -> Decision {
        guard let limit = limits[operation] else { return .admitted }
        let key = Key(user: user, operation: operation)
        let horizon = now - limit.window
        let others = shared.withLock { now - $0.at <= Self.sharedReportLifetime ? $0.counts[key] : nil }
        return calls.withLock { calls in
            var times = calls[key, default: []]
            if let firstLive = times.firstIndex(where: { $0 > horizon }) {
                times.removeFirst(firstLive)
            } else {
                times.removeAll()
            }
            let elsewhere = others?.calls ?? 0
            guard times.count + elsewhere < limit.count else {
                calls[key] = times
                // The earliest moment a call leaves the window: this server's own when they fill it alone, else
                // the oldest call here or elsewhere (one already gone elsewhere: the next report, in a second).
                var expires = now - limit.window + 1
                if times.count >= limit.count {
                    expires = times[times.count - limit.count]
                } else if let others, others.oldest > horizon {
                    expires = min(others.oldest, times.first ?? others.oldest)
                } else if let first = times.first {
                    expires = first
                }
                let wait = expires + limit.window - now
                return .refused(retryAfterSeconds: max(1, Int(min(wait, Limit.longestWindow).rounded(.up))))
            }
            times.append(now)
            calls[key] = times
            return .admitted
        }
    }

    /// This server's admitted calls still in their windows at `now`, to report to the other servers on the
    /// same database.
    package func shareCalls(now: Double) -> [SharedCallCount] {
        calls.withLock { calls in
            calls.compactMap { key, times in
                guard let limit = limits[key.operation] else { return nil }
                let live = times.drop { $0 <= now - limit.window }
                guard let oldest = live.first else { return nil }
                return SharedCallCount(
                    user: key.user.text, operation: key.operation, calls: live.count, oldest: oldest)
            }
        }
    }

    /// Replaces what the other servers reported (their sums per user and operation), received at `now`.
    package func receiveSharedCalls(_ counts: [SharedCallCount], now: Double) {
        var received: [Key: (calls: Int, oldest: Double)] = [:]
        for count in counts where limits[count.operation] != nil {
            received[Key(user: UserID(count.user), operation: count.operation)] = (count.calls, count.oldest)
        }
        shared.withLock { $0 = (received, now) }
    }
}
