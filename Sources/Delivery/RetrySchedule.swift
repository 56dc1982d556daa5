/// When a failed delivery is tried again, and when it is given up.
///
/// The delay doubles after every failed attempt, from ``firstDelaySeconds`` up to ``maximumDelaySeconds``;
/// after ``maximumAttempts`` attempts the delivery is given up and recorded as failed. With the defaults
/// (30 s, doubling, at most 1 h, 10 attempts) a delivery that never succeeds is given up about 3 h 4 min
/// (11,010 s of waiting) after its first attempt.
package struct RetrySchedule: Sendable, Equatable {
    /// The wait after the first failed attempt.
    package var firstDelaySeconds: Double
    /// The longest wait between two attempts.
    package var maximumDelaySeconds: Double
    /// How many attempts are made in all before giving up.
    package var maximumAttempts: Int

    /// The schedule the server uses unless told otherwise.
    package static let standard = RetrySchedule(firstDelaySeconds: 30, maximumDelaySeconds: 3600, maximumAttempts: 10)

    package init(firstDelaySeconds: Double, maximumDelaySeconds: Double, maximumAttempts: Int) {
        self.firstDelaySeconds = max(0, firstDelaySeconds)
        self.maximumDelaySeconds = max(self.firstDelaySeconds, maximumDelaySeconds)
        self.maximumAttempts = max(1, maximumAttempts)
    }

    /// The wait before the next attempt after `attempts` failed attempts (1 after the first), or `nil` when
    /// the delivery is to be given up.
    package func delay(afterFailedAttempts attempts: Int) -> Double? {
        guard attempts >= 1, attempts < maximumAttempts else { return nil }
        var delay = firstDelaySeconds
        for _ in 1..<attempts {
            delay *= 2
            if delay >= maximumDelaySeconds { return maximumDelaySeconds }
        }
        return min(delay, maximumDelaySeconds)
    }
}
