import Dispatch
import Foundation
import Locking

extension Array where Element: Sendable {
    /// `map(transform)` on every core, in order: the array is cut into contiguous runs (more runs than cores,
    /// so a core that finishes early takes another), each mapped by one thread. Below `minimumCount` elements
    /// one thread maps them all, since splitting would cost more than it saves. When transforms throw, the
    /// error of the earliest element that threw is rethrown, as a plain `map` would.
    func parallelMap<Mapped: Sendable, Failure: Error>(
        minimumCount: Int = 4096, _ transform: @Sendable (Element) throws(Failure) -> Mapped
    ) throws(Failure) -> [Mapped] {
        guard count >= minimumCount else {
            var mapped: [Mapped] = []
            mapped.reserveCapacity(count)
            for element in self { mapped.append(try transform(element)) }
            return mapped
        }
        let runCount = 4 * Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
        let runLength = (count + runCount - 1) / runCount
        let runs = Mutex([Result<[Mapped], Failure>](repeating: .success([]), count: runCount))
        DispatchQueue.concurrentPerform(iterations: runCount) { run in
            let range = Swift.min(count, run * runLength)..<Swift.min(count, (run + 1) * runLength)
            let result = Result { () throws(Failure) -> [Mapped] in
                var mapped: [Mapped] = []
                mapped.reserveCapacity(range.count)
                for element in self[range] { mapped.append(try transform(element)) }
                return mapped
            }
            runs.withLock { $0[run] = result }
        }
        var all: [Mapped] = []
        all.reserveCapacity(count)
        for run in runs.withLock({ $0 }) { all.append(contentsOf: try run.get()) }
        return all
    }
}
