import Foundation
import Locking
import Testing

@testable import TaskwireServer

@Suite struct BacklogTests {
    /// Runs `body` on a new thread; the returned semaphore is signalled when it is done.
    func onThread(_ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        Thread {
            body()
            done.signal()
        }.start()
        return done
    }

    @Test func aReaderOverTheLimitWaitsUntilProcessingCatchesUp() {
        let backlog = Backlog(limit: 10)
        let order = Mutex<[String]>([])
        backlog.add(10)
        let reader = onThread {
            backlog.add(5)
            order.withLock { $0.append("reader continued") }
        }
        #expect(backlog.waitUntilReaderBlocks(timeout: 10))
        order.withLock { $0.append("processed") }
        backlog.remove(10)
        #expect(reader.wait(timeout: .now() + 10) == .success)
        #expect(order.withLock { $0 } == ["processed", "reader continued"])
    }

    @Test func underTheLimitNothingWaits() {
        let backlog = Backlog(limit: 10)
        let reader = onThread { for _ in 0..<10 { backlog.add(1) } }
        #expect(reader.wait(timeout: .now() + 10) == .success)
    }

    @Test func closingReleasesABlockedReaderForGood() {
        let backlog = Backlog(limit: 1)
        let reader = onThread {
            backlog.add(3)
            backlog.add(3)
        }
        #expect(backlog.waitUntilReaderBlocks(timeout: 10))
        backlog.close()
        #expect(reader.wait(timeout: .now() + 10) == .success)
    }
}
