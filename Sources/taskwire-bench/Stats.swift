import Foundation

/// Latency samples in nanoseconds and the figures a report quotes.
struct LatencySamples {
    private(set) var nanoseconds: [Int] = []

    mutating func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        nanoseconds.append(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }

    mutating func merge(_ other: LatencySamples) { nanoseconds.append(contentsOf: other.nanoseconds) }

    /// The value at a percentile (0-100), in microseconds.
    func percentile(_ p: Double) -> Double {
        guard !nanoseconds.isEmpty else { return 0 }
        let sorted = nanoseconds.sorted()
        let index = min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.down)))
        return Double(sorted[index]) / 1000
    }

    var count: Int { nanoseconds.count }
}

/// Seconds elapsed while running `body`.
func measure(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let elapsed = try clock.measure(body)
    let (seconds, attoseconds) = elapsed.components
    return Double(seconds) + Double(attoseconds) / 1e18
}

/// Formats a number with a fixed number of decimals.
func fixed(_ value: Double, _ decimals: Int = 1) -> String {
    String(format: "%.\(decimals)f", value)
}

/// Writes one line of the report to stdout: the benchmark's stdout is its Markdown report, never a
/// protocol stream.
func emit(_ text: String = "") {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
