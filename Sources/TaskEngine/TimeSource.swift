import Foundation
import Synchronization

/// Where the engine reads the current time: the system clock in production, a hand-driven one in tests.
///
/// Injected so that due-date checks, `overdue` and every recorded time are deterministic under test.
package protocol TimeSource: Sendable {
    /// The current time.
    func now() -> Timestamp
}

/// The real wall clock.
package struct SystemTimeSource: TimeSource {
    package init() {}

    /// The current wall-clock time.
    package func now() -> Timestamp {
        Timestamp(microseconds: Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down)))
    }
}

/// A clock that only moves when told to, for tests and benchmarks.
package final class ManualTimeSource: TimeSource {
    private let current: Mutex<Timestamp>

    /// A clock standing at `start`.
    package init(_ start: Timestamp) { current = Mutex(start) }

    /// A clock standing at an RFC 3339 time; an unparsable text starts it at the Unix epoch.
    package convenience init(_ rfc3339: String) {
        self.init(Timestamp(rfc3339: rfc3339) ?? Timestamp(microseconds: 0))
    }

    /// The time the clock shows.
    package func now() -> Timestamp { current.withLock { $0 } }

    /// Moves the clock forward (or back, with a negative value).
    package func advance(seconds: Int64) {
        current.withLock { $0 = $0.adding(seconds: seconds) }
    }

    /// Sets the clock to a time.
    package func set(_ time: Timestamp) {
        current.withLock { $0 = time }
    }
}
