import Testing

@testable import TaskEngine

@Suite struct ChunkedArrayTests {
    @Test func behavesLikeAnArrayAcrossChunkBoundaries() {
        var chunked = ChunkedArray<Int>()
        var plain: [Int] = []
        for value in 0..<10_000 {
            chunked.append(value * 3)
            plain.append(value * 3)
        }
        #expect(chunked.count == plain.count)
        #expect(Array(chunked) == plain)
        for index in [0, 4095, 4096, 8191, 8192, 9999] {
            chunked[index] += 1
            plain[index] += 1
        }
        #expect(Array(chunked) == plain)
        #expect(chunked.last == plain.last)
        #expect(chunked.firstIndex(of: 12_288 + 1) == plain.firstIndex(of: 12_288 + 1))
    }

    @Test func aCopyIsIndependentOfLaterChanges() {
        var original = ChunkedArray<String>()
        for value in 0..<5_000 { original.append("task \(value)") }
        let snapshot = original
        original[4_500] = "changed"
        original.append("new")
        #expect(snapshot.count == 5_000)
        #expect(snapshot[4_500] == "task 4500")
        #expect(original[4_500] == "changed")
        #expect(original.count == 5_001)
        #expect(snapshot != original)
    }
}
