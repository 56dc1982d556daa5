import Foundation
import Locking

/// Runs `body` on `count` dedicated threads at once and returns what each produced, in thread order.
///
/// Benchmark clients use real threads with blocking I/O, like the bot runtimes they stand for.
func onThreads<Result: Sendable>(
    _ count: Int,
    _ body: @escaping @Sendable (_ index: Int) throws -> Result
) throws -> [Result] {
    let results = Mutex<[Int: Swift.Result<Result, any Error>]>([:])
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            let outcome = Swift.Result { try body(index) }
            results.withLock { $0[index] = outcome }
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    group.wait()
    return try results.withLock { results in
        try (0..<count).map { index in
            guard let outcome = results[index] else { throw BenchError("thread \(index) produced nothing") }
            return try outcome.get()
        }
    }
}
