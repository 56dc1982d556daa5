import Testing

@testable import TaskEngine

/// `parallelMap`, which reads snapshot lines on every core, gives what `map` gives.
struct ParallelMapTests {
    @Test(arguments: [0, 1, 4_095, 4_096, 10_007])
    func keepsTheOrderOfMap(count: Int) {
        let numbers = Array(0..<count)
        #expect(numbers.parallelMap { $0 * 3 + 1 } == numbers.map { $0 * 3 + 1 })
        #expect(numbers.parallelMap(minimumCount: 1) { -$0 } == numbers.map { -$0 })
    }

    @Test func rethrowsTheErrorOfTheEarliestElementThatThrew() {
        let numbers = Array(0..<20_000)
        #expect(throws: EngineError.damaged("line 7000")) {
            try numbers.parallelMap { number throws(EngineError) in
                if number == 7_000 || number == 15_000 { throw .damaged("line \(number)") }
                return number
            }
        }
    }
}
