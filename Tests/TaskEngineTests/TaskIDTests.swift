import Testing

@testable import TaskEngine

struct TaskIDTests {
    @Test func idsRoundTripAndSortByCreationTime() throws {
        var generator = TaskIDGenerator()
        let start = try #require(Timestamp(rfc3339: "2024-01-15T10:00:00Z"))
        var previous = ""
        for step in 0..<1000 {
            // Several ids per millisecond, and a clock that sometimes steps back.
            let time = start.adding(seconds: Int64(step / 3) - (step % 7 == 0 ? 5 : 0))
            let raw = generator.next(at: time)
            let text = TaskID(raw: raw).description
            #expect(text.hasPrefix("tsk_") && text.count == 17)
            #expect(TaskID(text)?.raw == raw)
            #expect(text > previous)
            previous = text
        }
    }

    @Test(arguments: [
        "", "tsk_", "tsk_0000000000000", "tsk_01HQZ0000000O", "tsk_ZZZZZZZZZZZZZ", "task_0123456789ABC",
        "tsk_0123456789abc", "tsk_01234567890123",
    ])
    func rejectsMalformedIDs(text: String) {
        if text == "tsk_0000000000000" {
            #expect(TaskID(text)?.raw == 0)
        } else {
            #expect(TaskID(text)?.raw == nil)
        }
    }
}
