import Testing

@testable import TaskEngine

struct SortedChunksTests {
    @Test func matchesASortedReferenceUnderRandomInsertsAndRemoves() {
        var random = SeededRandom(seed: 7)
        var chunks = SortedChunks<Int32>()
        var reference = Set<Int32>()
        for step in 0..<20_000 {
            let value = Int32.random(in: 0..<5000, using: &random)
            if step % 3 == 2 {
                #expect(chunks.remove(value) == reference.remove(value).map { _ in true } ?? false)
            } else {
                #expect(chunks.insert(value) == reference.insert(value).inserted)
            }
        }
        let sorted = reference.sorted()
        #expect(chunks.elements == sorted)
        #expect(chunks.count == sorted.count)
        var descending: [Int32] = []
        chunks.forEach(ascending: false) {
            descending.append($0); return true
        }
        #expect(descending == sorted.reversed())
        for bounds in [(Int32(100), Int32(900)), (0, 5000), (2500, 2501), (4000, 10)] {
            let expected = sorted.filter { $0 >= bounds.0 && $0 < bounds.1 }
            var ascending: [Int32] = []
            chunks.forEach(from: bounds.0, to: bounds.1) {
                ascending.append($0); return true
            }
            var backwards: [Int32] = []
            chunks.forEach(from: bounds.0, to: bounds.1, ascending: false) {
                backwards.append($0); return true
            }
            #expect(ascending == expected)
            #expect(backwards == expected.reversed())
            #expect(chunks.count(from: bounds.0, to: bounds.1) == expected.count)
        }
        #expect(chunks.contains(sorted[sorted.count / 2]))
    }

    @Test func appendingInOrderStaysCheap() {
        var chunks = SortedChunks<Int32>()
        for value in 0..<100_000 { chunks.insert(Int32(value)) }
        #expect(chunks.count == 100_000)
        #expect(chunks.rank(of: 50_000) == 50_000)
        var first: [Int32] = []
        chunks.forEach(from: 99_998) {
            first.append($0); return true
        }
        #expect(first == [99_998, 99_999])
    }
}
