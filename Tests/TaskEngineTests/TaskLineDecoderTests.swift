import Foundation
import JSON
import Testing

@testable import TaskEngine

/// The one-pass reader of task lines gives exactly what the general reader gives, and leaves every line it
/// does not fully understand to the general reader.
struct TaskLineDecoderTests {
    static let created = Timestamp(microseconds: 1_780_000_000_123_000)

    /// Tasks that use every field the reader knows, and the ones left unset.
    static let tasks: [TaskItem] = {
        var plain = TaskItem(rawID: 0x1234_5678_9ABC, title: "Plain", createdAt: created, createdBy: "bot")
        plain.updatedAt = created
        var full = TaskItem(rawID: 0x1234_5678_9ABD, title: "Ünïcode ✓ title", createdAt: created, createdBy: "u1")
        full.description = "Line one, “quoted”"
        full.status = .completed
        full.priority = .critical
        full.assignee = "user42"
        full.dueDate = Timestamp(microseconds: 1_780_086_400_000_000)
        full.tags = ["tag3", "tag7", "tag3"]
        full.context = [.init(key: "bot_id", value: "bot1"), .init(key: "conversation_id", value: "conv_9")]
        full.progress = 100
        full.timeSpentMinutes = -5
        full.updatedAt = Timestamp(microseconds: 1_780_000_100_000_001)
        full.completedAt = full.updatedAt
        full.completedBy = "u2"
        full.resolution = "done"
        full.outcomes = ["shipped", "tested"]
        full.commentsCount = 3
        full.attachmentsCount = 1
        full.watchers = ["u1", "u3"]
        full.version = 12
        full.isDeleted = true
        full.overdueFiredFor = full.dueDate
        full.dueSoonFiredFor = full.dueDate
        return [plain, full]
    }()

    static func line(_ task: TaskItem, history: [Int]) -> [UInt8] {
        var writer = SnapshotWriter()
        var object = task.persistentJSON
        object.append("history", .array(history.map { .int($0) }))
        writer.write(.task, object)
        return Array(writer.bytes.dropLast())
    }

    /// What the general reader makes of a line.
    static func general(_ line: [UInt8]) throws -> TaskLineDecoder.Decoded {
        var object = try #require(try JSONParser.parse(line).objectValue)
        object["kind"] = nil
        let task = try TaskItem(persistent: object)
        let history = try #require(object["history"]?.arrayValue).map { try #require($0.intValue) }
        return TaskLineDecoder.Decoded(task: task, history: history)
    }

    @Test func readsTheEngineLinesAsTheGeneralReaderDoes() throws {
        for task in Self.tasks {
            let line = Self.line(task, history: [1, 5, 900_000])
            let decoded = try #require(TaskLineDecoder.decode(line[...]))
            let expected = try Self.general(line)
            #expect(decoded.task == expected.task)
            #expect(decoded.task == task)
            #expect(decoded.history == [1, 5, 900_000])
        }
    }

    @Test func theDirectWriterWritesWhatTheGeneralWriterWrites() {
        var workflowStep = Self.tasks[1]
        workflowStep.step = "review"
        workflowStep.blockedBy = ["build"]
        for task in Self.tasks + [workflowStep] {
            for history in [[], [3], [1, 2, 40]] {
                var direct = SnapshotWriter()
                task.appendSnapshotLine(history: history, to: &direct)
                #expect(direct.bytes == Self.line(task, history: history) + [0x0A])
            }
        }
    }

    /// Each of these is valid JSON the general reader may accept or refuse, but not this reader's form.
    @Test(arguments: [
        (#""title":"Plain""#, #""title": "Plain""#),
        (#""title":"Plain""#, #""title":"Pl\u0061in""#),
        (#""title":"Plain""#, #""title":"Plain","title":"Again""#),
        (#""title":"Plain""#, #""title":"Plain","unknown":1"#),
        (#""title":"Plain""#, #""title":"Plain","workflow_id":null"#),
        (#""progress":0"#, #""progress":0.0"#),
        (#""progress":0"#, #""progress":1e1"#),
        (#""progress":0"#, #""progress":00"#),
        (#""progress":0"#, #""progress":99999999999999999999"#),
        (#""comments_count":0"#, #""comments_count":"0""#),
        (#""history":[1]"#, #""history":[0]"#),
        (#""history":[1]"#, #""history":{}"#),
        (#""status":"pending""#, #""status":"sleeping""#),
        (#""created_at":"#, #""created_at":1,"x":"#),
    ])
    func leavesOtherLinesToTheGeneralReader(original: String, replacement: String) throws {
        let line = String(decoding: Self.line(Self.tasks[0], history: [1]), as: UTF8.self)
        #expect(line.contains(original))
        let changed = Array(line.replacingFirst(original, with: replacement).utf8)
        #expect(TaskLineDecoder.decode(changed[...]) == nil)
    }

    @Test func refusesTruncatedLinesAndTrailingBytes() {
        let line = Self.line(Self.tasks[1], history: [2])
        for length in 0..<line.count { #expect(TaskLineDecoder.decode(line[..<length]) == nil) }
        #expect(TaskLineDecoder.decode((line + Array(" ".utf8))[...]) == nil)
        #expect(TaskLineDecoder.decode((line + Array("}".utf8))[...]) == nil)
    }

    @Test func leavesOutAMissingRequiredMember() {
        for member in ["task_id", "title", "status", "created_at", "updated_at", "version", "deleted", "tags"] {
            var object = Self.tasks[0].persistentJSON
            object[member] = nil
            var writer = SnapshotWriter()
            writer.write(.task, object)
            #expect(TaskLineDecoder.decode(writer.bytes.dropLast()) == nil, "without \(member)")
        }
    }

    @Test func decodesManyLinesInOrderAcrossThreads() throws {
        let lines = (0..<10_000).map { index in
            var task = Self.tasks[index % 2]
            task.rawID += UInt64(index) * 2
            task.title = "Task \(index)"
            return SnapshotLine(kind: .task, bytes: Self.line(task, history: [index + 1])[...])
        }
        let decoded = TaskLineDecoder.decodeAll(lines)
        #expect(decoded.count == lines.count)
        for (index, entry) in decoded.enumerated() {
            let entry = try #require(entry)
            #expect(entry.task.title == "Task \(index)")
            #expect(entry.history == [index + 1])
        }
    }
}

extension String {
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
