import JSONRPC
import Testing

@testable import TaskwireServer

@Suite struct InFlightRequestsTests {
    @Test func aCancellationReachesEveryUnansweredRequestWithTheId() {
        let table = InFlightRequests()
        let tokens = (0..<3).map { _ in table.register(.int(1)) }
        let other = table.register(.string("other"))
        #expect(table.finish(tokens[1]) == false)
        #expect(table.cancel(.int(1)) == 2)
        #expect(table.isCancelled(tokens[0]) && table.isCancelled(tokens[2]))
        #expect(!table.isCancelled(other))
        #expect(table.finish(tokens[0]) && table.finish(tokens[2]))
        #expect(table.cancel(.int(1)) == 0)
        #expect(table.count == 1)
    }

    @Test func manyRequestsSharingOneIdAreTrackedOneByOne() {
        // A client may reuse one id for every request; each must still be registered and finished on its own.
        let table = InFlightRequests()
        let tokens = (0..<50_000).map { _ in table.register(.null) }
        #expect(Set(tokens).count == tokens.count)
        for token in tokens.reversed() { table.finish(token) }
        #expect(table.count == 0)
        #expect(table.cancel(.null) == 0)
    }
}
