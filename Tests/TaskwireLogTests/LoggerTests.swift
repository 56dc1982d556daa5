import Locking
import TaskwireLog
import Testing

struct LoggerTests {
    final class Lines: Sendable {
        let storage = Mutex<[String]>([])
        var all: [String] { storage.withLock { $0 } }
    }

    @Test func linesCarryLevelLabelAndFieldsAndAreBounded() {
        let lines = Lines()
        let logger = Logger(label: "transport", level: .info) { line in lines.storage.withLock { $0.append(line) } }
        logger.debug("hidden")
        logger.warning(
            "peer is slow", ["conn": "3", "reason": "queue full", "payload": String(repeating: "x", count: 5000)])
        let written = lines.all
        #expect(written.count == 1)
        let line = written[0]
        #expect(line.contains(" warning transport: peer is slow conn=3 reason=\"queue full\" payload=xxx"))
        #expect(line.utf8.count <= Logger.maxLineLength)
        #expect(line.hasSuffix("\n"))
        #expect(line.dropLast().contains("\n") == false)
    }
}
