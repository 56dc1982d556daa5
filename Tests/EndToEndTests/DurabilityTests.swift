import Foundation
import JSON
import JSONRPC
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The promise of the store, checked against the real binary: an answered write survives anything.
@Suite struct DurabilityTests {
    /// A deterministic generator so a failing round can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Sends `inFlight` creates, reads a random number of their replies, kills the server with SIGKILL, and
    /// returns the ids of every create it answered, the replies written just before the kill included.
    static func createsAnsweredBeforeSIGKILL(
        _ server: ServerProcess, round: Int, inFlight: Int = 400, random: inout SplitMix
    ) async throws -> Set<String> {
        for index in 0..<inFlight {
            server.client.sendRequest(
                "tasks.create", params: ["title": .string("round \(round) task \(index)"), "tags": ["crash"]])
        }
        var answered: Set<String> = []
        let killAfter = Int.random(in: 1...inFlight, using: &random)
        for _ in 0..<killAfter {
            let reply = try await server.client.next(timeout: .seconds(30))
            answered.insert(try #require(reply["result"]?["task_id"]?.stringValue, "create failed: \(reply)"))
        }
        server.signal(SIGKILL)
        // Replies already written before the kill are answers too: collect them until the pipe ends.
        while let body = try await server.client.nextBody(timeout: .seconds(20)) {
            if let id = try JSONParser.parse(body)["result"]?["task_id"]?.stringValue { answered.insert(id) }
        }
        #expect(try await server.waitForExit() == 128 + SIGKILL)
        return answered
    }

    @Test func everyAnsweredCreateSurvivesSIGKILLAtRandomMoments() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = directory.appending("data")
        var random = SplitMix(state: 0x7A5C_0DE5)
        var answered: Set<String> = []
        for round in 0..<10 {
            let server = try ServerProcess(arguments: ["--data-dir", dataDirectory, "--log-level", "error"])
            defer { server.kill() }
            answered.formUnion(try await Self.createsAnsweredBeforeSIGKILL(server, round: round, random: &random))

            let export = try await CommandResult.run(["export", "--data-dir", dataDirectory])
            #expect(export.status == 0, "export failed: \(export.standardError)")
            let document = try JSONParser.parse(export.standardOutput)
            let stored = Set((document["tasks"]?.arrayValue ?? []).compactMap { $0["task_id"]?.stringValue })
            let lost = answered.subtracting(stored)
            #expect(lost.isEmpty, "round \(round): \(lost.count) answered creates were lost")
        }
        #expect(answered.count >= 10)
    }

    /// Workflow creations and step completions are grouped records: after SIGKILLs at random moments, every
    /// answered one is there, and no workflow is there with only some of its tasks or unblockings.
    @Test func everyAnsweredWorkflowWriteSurvivesSIGKILLWhole() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = directory.appending("data")
        var random = SplitMix(state: 0x0F10_3C0D)
        var createdWorkflows: Set<String> = []
        var completedSteps: Set<String> = []
        // First steps of answered workflows, not yet completed.
        var pendingFirstSteps: [String] = []
        let steps: JSONValue = [
            ["name": "A", "duration_hours": 1], ["name": "B", "depends_on": ["A"]],
            ["name": "C", "depends_on": ["A", "B"]],
        ]
        for round in 0..<6 {
            let server = try ServerProcess(arguments: ["--data-dir", dataDirectory, "--log-level", "error"])
            defer { server.kill() }
            var kinds: [Int: (kind: String, task: String?)] = [:]
            let starting = pendingFirstSteps
            pendingFirstSteps = []
            for task in starting {
                let start = server.client.sendRequest(
                    "tasks.update", params: ["task_id": .string(task), "status": "in_progress"])
                kinds[start] = ("start", task)
                kinds[server.client.sendRequest("tasks.complete", params: ["task_id": .string(task)])] = (
                    "complete", task
                )
            }
            for index in 0..<60 {
                let id = server.client.sendRequest(
                    "workflows.create", params: ["name": .string("round \(round) flow \(index)"), "steps": steps])
                kinds[id] = ("create", nil)
            }
            let killAfter = Int.random(in: 1...kinds.count, using: &random)
            var received = 0
            func note(_ reply: JSONValue) throws {
                guard let id = reply["id"]?.intValue, let sent = kinds[id], let result = reply["result"] else { return }
                switch sent.kind {
                case "create":
                    createdWorkflows.insert(try #require(result["workflow_id"]?.stringValue))
                    let first = result["steps"]?.arrayValue?.first?["task_id"]?.stringValue
                    pendingFirstSteps.append(try #require(first))
                case "complete": completedSteps.insert(try #require(sent.task))
                default: break
                }
            }
            while received < killAfter {
                try note(try await server.client.next(timeout: .seconds(20)))
                received += 1
            }
            server.signal(SIGKILL)
            while let body = try await server.client.nextBody(timeout: .seconds(20)) {
                try note(JSONParser.parse(body))
            }
            #expect(try await server.waitForExit() == 128 + SIGKILL)

            let export = try await CommandResult.run(["export", "--data-dir", dataDirectory])
            #expect(export.status == 0, "export failed: \(export.standardError)")
            let document = try JSONParser.parse(export.standardOutput)
            var tasks: [String: JSONValue] = [:]
            for task in document["tasks"]?.arrayValue ?? [] {
                if let id = task["task_id"]?.stringValue { tasks[id] = task }
            }
            var stored: Set<String> = []
            for workflow in document["workflows"]?.arrayValue ?? [] {
                let id = try #require(workflow["workflow_id"]?.stringValue)
                stored.insert(id)
                let stepTasks = (workflow["steps"]?.arrayValue ?? []).compactMap { $0["task_id"]?.stringValue }
                #expect(stepTasks.count == 3)
                // Every step's task is there and belongs to it.
                for task in stepTasks { #expect(tasks[task]?["workflow_id"]?.stringValue == id, "round \(round)") }
                // A completed first step has unblocked B in the same record.
                if tasks[stepTasks[0]]?["status"] == "completed" {
                    #expect(tasks[stepTasks[1]]?["blocked_by"] == nil, "round \(round): B still blocked")
                    #expect(tasks[stepTasks[2]]?["blocked_by"] == ["B"], "round \(round)")
                }
            }
            // No task names a workflow the document lacks.
            for task in tasks.values {
                if let id = task["workflow_id"]?.stringValue { #expect(stored.contains(id)) }
            }
            #expect(createdWorkflows.subtracting(stored).isEmpty, "round \(round): answered workflows were lost")
            // `taskwire check` replays the grouped records too.
            let check = try await CommandResult.run(["check", "--data-dir", dataDirectory])
            #expect(check.status == 0, "check: \(String(decoding: check.standardOutput, as: UTF8.self))")
            for task in completedSteps { #expect(tasks[task]?["status"] == "completed", "round \(round)") }
            pendingFirstSteps.removeAll { completedSteps.contains($0) }
        }
        #expect(createdWorkflows.count >= 6 && !completedSteps.isEmpty)
    }

    /// Template creations and tasks made from templates, in flight together: every answered one is there
    /// after a SIGKILL, the tasks with their template id and checklist.
    @Test func answeredTemplatesAndTasksFromTemplatesSurviveSIGKILL() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = directory.appending("data")
        var random = SplitMix(state: 0x7E3F_1A7E)
        var answeredTemplates: Set<String> = []
        var answeredTasks: [String: String] = [:]
        for round in 0..<6 {
            let server = try ServerProcess(arguments: ["--data-dir", dataDirectory, "--log-level", "error"])
            defer { server.kill() }
            let base = try await server.client.call(
                "templates.create",
                params: [
                    "name": .string("Round \(round)"), "title_template": "Issue {{issue_id}}",
                    "checklist": ["Look at {{issue_id}}", "Reply"],
                ])
            let baseID = try #require(base["result"]?["template_id"]?.stringValue, "create failed: \(base)")
            answeredTemplates.insert(baseID)
            let inFlight = 300
            for index in 0..<inFlight {
                if index.isMultiple(of: 3) {
                    server.client.sendRequest(
                        "templates.create",
                        params: [
                            "name": .string("T \(round) \(index)"), "template_id": .string("tpl_r\(round)_\(index)"),
                        ])
                } else {
                    server.client.sendRequest(
                        "tasks.create_from_template",
                        params: [
                            "template_id": .string(baseID), "variables": ["issue_id": .string("#\(round)-\(index)")],
                        ])
                }
            }
            func collect(_ reply: JSONValue) {
                guard let result = reply["result"] else { return }
                if let task = result["task_id"]?.stringValue {
                    answeredTasks[task] = baseID
                } else if let template = result["template_id"]?.stringValue {
                    answeredTemplates.insert(template)
                }
            }
            let killAfter = Int.random(in: 1...inFlight, using: &random)
            for _ in 0..<killAfter {
                let reply = try await server.client.next(timeout: .seconds(20))
                #expect(reply["result"] != nil, "write failed: \(reply)")
                collect(reply)
            }
            server.signal(SIGKILL)
            while let body = try await server.client.nextBody(timeout: .seconds(20)) {
                collect(try JSONParser.parse(body))
            }
            #expect(try await server.waitForExit() == 128 + SIGKILL)

            let export = try await CommandResult.run(["export", "--data-dir", dataDirectory])
            #expect(export.status == 0, "export failed: \(export.standardError)")
            let document = try JSONParser.parse(export.standardOutput)
            let templates = Set((document["templates"]?.arrayValue ?? []).compactMap { $0["template_id"]?.stringValue })
            let lostTemplates = answeredTemplates.subtracting(templates)
            #expect(lostTemplates.isEmpty, "round \(round): \(lostTemplates.count) answered templates were lost")
            var stored: [String: JSONValue] = [:]
            for task in document["tasks"]?.arrayValue ?? [] {
                if let id = task["task_id"]?.stringValue { stored[id] = task }
            }
            for (task, template) in answeredTasks {
                let found = stored[task]
                #expect(found?["template_id"] == .string(template), "round \(round): task \(task) was lost")
                #expect(found?["checklist"]?.arrayValue?.count == 2)
            }
        }
        #expect(answeredTasks.count >= 6)
    }

    /// Published events in flight while the server is SIGKILLed: after a restart, publishing every event id
    /// again leaves exactly one task per event id, so no answered firing was lost and no firing was kept
    /// without its task (or a task without its firing, which would fire again).
    @Test func automationFiringsAndTheirTasksSurviveSIGKILLTogether() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = directory.appending("data")
        var random = SplitMix(state: 0xA070_F12E)
        var published: [String] = []
        var answered: Set<String> = []
        for round in 0..<5 {
            let server = try ServerProcess(arguments: ["--data-dir", dataDirectory, "--log-level", "error"])
            defer { server.kill() }
            if round == 0 {
                _ = try await server.client.call(
                    "templates.create", params: ["name": "Urgent {{conversation_id}}", "template_id": "tpl_urgent"])
                let rule = try await server.client.call(
                    "automations.create",
                    params: [
                        "name": "High Priority Support", "trigger": ["type": "conversation_tag", "value": "urgent"],
                        "action": ["type": "create_task", "template": "tpl_urgent", "priority": "critical"],
                    ])
                #expect(rule["result"]?["automation_id"] != nil, "\(rule)")
            }
            let inFlight = 200
            for index in 0..<inFlight {
                let eventID = "evt_\(round)_\(index)"
                published.append(eventID)
                server.client.sendRequest(
                    "events.publish",
                    params: [
                        "type": "conversation_tag", "value": "urgent", "event_id": .string(eventID),
                        "context": ["conversation_id": .string("conv_\(round)_\(index)")],
                    ])
            }
            func collect(_ reply: JSONValue) {
                if let task = reply["result"]?["fired"]?.arrayValue?.first?["task_id"]?.stringValue {
                    answered.insert(task)
                }
            }
            let killAfter = Int.random(in: 1...inFlight, using: &random)
            for _ in 0..<killAfter {
                let reply = try await server.client.next(timeout: .seconds(20))
                #expect(reply["result"]?["fired"]?.arrayValue?.count == 1, "publish failed: \(reply)")
                collect(reply)
            }
            server.signal(SIGKILL)
            while let body = try await server.client.nextBody(timeout: .seconds(20)) {
                collect(try JSONParser.parse(body))
            }
            #expect(try await server.waitForExit() == 128 + SIGKILL)
        }
        // Publishing everything again fires exactly the events whose firing did not commit.
        let server = try ServerProcess(arguments: ["--data-dir", dataDirectory, "--log-level", "error"])
        defer { server.kill() }
        for eventID in published {
            let reply = try await server.client.call(
                "events.publish",
                params: [
                    "type": "conversation_tag", "value": "urgent", "event_id": .string(eventID),
                    "context": ["conversation_id": .string(eventID)],
                ])
            #expect(reply["result"] != nil, "\(reply)")
        }
        server.client.closeWriting()
        #expect(try await server.waitForExit() == 0)
        let export = try await CommandResult.run(["export", "--data-dir", dataDirectory])
        let document = try JSONParser.parse(export.standardOutput)
        let tasks = document["tasks"]?.arrayValue ?? []
        let stored = Set(tasks.compactMap { $0["task_id"]?.stringValue })
        #expect(answered.subtracting(stored).isEmpty, "answered firings were lost")
        #expect(tasks.count == published.count, "\(tasks.count) tasks for \(published.count) event ids")
        #expect(document["automation_firings"]?.arrayValue?.count == published.count)
    }

    @Test func aSecondServerOnTheSameDirectoryIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = directory.appending("data")
        let first = try ServerProcess(arguments: ["--data-dir", dataDirectory])
        defer { first.kill() }
        #expect(try await first.client.call("ping")["result"] == .object([:]))

        let second = try await CommandResult.run(["--data-dir", dataDirectory])
        #expect(second.status == 75)
        #expect(second.standardError.contains("in use by another taskwire process"))

        let created = try await first.client.call("tasks.create", params: ["title": "still served"])
        #expect(created["result"]?["status"] == "pending")
        let export = try await CommandResult.run(["export", "--data-dir", dataDirectory])
        #expect(export.status == 75)
    }

    @Test func tasksSurviveACleanRestart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = directory.appending("data")
        let first = try ServerProcess(arguments: ["--data-dir", dataDirectory])
        let created = try await first.client.call(
            "tasks.create", params: ["title": "Review customer complaint", "priority": "high", "tags": ["support"]])
        let id = try #require(created["result"]?["task_id"]?.stringValue)
        _ = try await first.client.call("tasks.update", params: ["task_id": .string(id), "status": "in_progress"])
        first.client.closeWriting()
        #expect(try await first.waitForExit() == 0)

        let second = try ServerProcess(arguments: ["--data-dir", dataDirectory])
        defer { second.kill() }
        let task = try await second.client.call("tasks.get", params: ["task_id": .string(id)])["result"]
        #expect(task?["status"] == "in_progress")
        #expect(task?["priority"] == "high")
        #expect(task?["version"] == 2)
        let history = try await second.client.call("tasks.history", params: ["task_id": .string(id)])["result"]
        #expect(history?["history"]?.arrayValue?.map { $0["action"] } == ["task_created", "task_updated"])
    }

    @Test func damageInAnEarlierRecordStopsTheStartWithTheFileAndOffset() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = directory.appending("data")
        try await createTasks(3, in: dataDirectory)
        let journal = try journalPath(in: dataDirectory)
        let frames = try frameOffsets(of: journal)
        #expect(frames.count == 3)
        try flipByte(in: journal, at: frames[0].start + 14)

        let server = try await CommandResult.run(["--data-dir", dataDirectory])
        #expect(server.status == 65)
        #expect(server.standardError.contains("damaged"))
        #expect(server.standardError.contains("journal-0000000000000001.log at \(frames[0].start)"))

        let check = try await CommandResult.run(["check", "--data-dir", dataDirectory])
        #expect(check.status == 65)
        #expect(String(decoding: check.standardOutput, as: UTF8.self).contains("DAMAGED"))
    }

    @Test func aTornTailIsTruncatedWithAWarningAndEverythingBeforeItRecovers() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = directory.appending("data")
        let ids = try await createTasks(3, in: dataDirectory)
        let journal = try journalPath(in: dataDirectory)
        let frames = try frameOffsets(of: journal)
        #expect(truncate(journal, off_t(frames[2].end - 7)) == 0)

        let check = try await CommandResult.run(["check", "--data-dir", dataDirectory])
        let report = String(decoding: check.standardOutput, as: UTF8.self)
        #expect(check.status == 1, "check said: \(report)")
        #expect(report.contains("RECOVERABLE"))
        #expect(
            report.contains(
                "repair: journal-0000000000000001.log ends with an incomplete record at bytes \(frames[2].start)"))

        let requests = ids.enumerated().map { index, id in
            #"{"jsonrpc":"2.0","id":\#(index),"method":"tasks.get","params":{"task_id":"\#(id)"}}"#
        }
        let server = try await CommandResult.run(
            ["--data-dir", dataDirectory], input: Array((requests.joined(separator: "\n") + "\n").utf8))
        #expect(server.status == 0)
        let replies = try String(decoding: server.standardOutput, as: UTF8.self).split(separator: "\n")
            .map { try JSONParser.parse(String($0)) }
        #expect(replies.filter { $0["result"] != nil }.count == 2)
        #expect(replies.first { $0["id"] == 2 }?["error"]?["code"] == 404)
        #expect(server.standardError.contains("dropped an incomplete last record"))

        // The start repaired it: healthy from now on.
        let after = try await CommandResult.run(["check", "--data-dir", dataDirectory])
        #expect(after.status == 0, "check said: \(String(decoding: after.standardOutput, as: UTF8.self))")
        #expect(String(decoding: after.standardOutput, as: UTF8.self).contains(": healthy"))
    }

    @Test func aDeletedNewestSegmentStopsTheStartAndCheckCallsItFatal() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = directory.appending("data")
        try await createTasks(3, in: dataDirectory)
        let healthy = try await CommandResult.run(["check", "--data-dir", dataDirectory])
        #expect(healthy.status == 0, "check said: \(String(decoding: healthy.standardOutput, as: UTF8.self))")
        let segment = "journal-0000000000000001.log"
        #expect(unlink(dataDirectory + "/" + segment) == 0)

        let list = #"{"jsonrpc":"2.0","id":1,"method":"tasks.list"}"# + "\n"
        let server = try await CommandResult.run(["--data-dir", dataDirectory], input: Array(list.utf8))
        #expect(server.status == 65)
        #expect(server.standardOutput.isEmpty, "it answered: \(String(decoding: server.standardOutput, as: UTF8.self))")
        #expect(server.standardError.contains("\(segment) is missing"))

        let check = try await CommandResult.run(["check", "--data-dir", dataDirectory])
        let report = String(decoding: check.standardOutput, as: UTF8.self)
        #expect(check.status == 65, "check said: \(report)")
        #expect(report.contains("DAMAGED, fatal"))
        #expect(report.contains("problem: The journal segment \(segment) is missing"))
        #expect(report.contains("where: \(dataDirectory)/\(segment)"))
        #expect(report.contains("what to do:"))
    }

    @Test func checkExplainsAnImportedDirectoryThatLostItsStartingSnapshot() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = directory.appending("source")
        let copy = directory.appending("copy")
        try await createTasks(2, in: source)
        let export = try await CommandResult.run(["export", "--data-dir", source])
        let imported = try await CommandResult.run(["import", "-", "--data-dir", copy], input: export.standardOutput)
        #expect(imported.status == 0, "import failed: \(imported.standardError)")
        try await createTasks(1, in: copy)
        #expect(unlink(copy + "/snapshot-0000000000000000.snap") == 0)

        let check = try await CommandResult.run(["check", "--data-dir", copy])
        let report = String(decoding: check.standardOutput, as: UTF8.self)
        #expect(check.status == 65, "check said: \(report)")
        #expect(report.contains("DAMAGED, fatal"))
        #expect(report.contains("do not fit together"))
        #expect(report.contains("snapshot-0000000000000000.snap"))
        #expect(report.contains("where: the journal records after record 0"))
        #expect(report.contains("what to do:"))
    }

    @Test func exportImportAndCheckRoundTrip() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = directory.appending("source")
        let copy = directory.appending("copy")
        try await createTasks(5, in: source)

        let export = try await CommandResult.run(["export", "--data-dir", source])
        #expect(export.status == 0)
        let imported = try await CommandResult.run(["import", "-", "--data-dir", copy], input: export.standardOutput)
        #expect(imported.status == 0, "import failed: \(imported.standardError)")
        let again = try await CommandResult.run(["export", "--data-dir", copy])
        #expect(try JSONParser.parse(again.standardOutput) == JSONParser.parse(export.standardOutput))

        let refused = try await CommandResult.run(["import", "-", "--data-dir", copy], input: export.standardOutput)
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("not empty"))

        let check = try await CommandResult.run(["check", "--data-dir", copy])
        #expect(check.status == 0)
        #expect(String(decoding: check.standardOutput, as: UTF8.self).contains("5 tasks"))
    }

    @Test func aDamagedImportSnapshotStopsTheStartAndCheckSaysSo() async throws {
        // An imported directory holds everything in one snapshot beside an empty journal: there is nothing to
        // fall back to, so a damaged snapshot must stop the start instead of serving an empty directory.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = directory.appending("source")
        let copy = directory.appending("copy")
        try await createTasks(3, in: source)
        let export = try await CommandResult.run(["export", "--data-dir", source])
        #expect(export.status == 0)
        let imported = try await CommandResult.run(["import", "-", "--data-dir", copy], input: export.standardOutput)
        #expect(imported.status == 0, "import failed: \(imported.standardError)")
        let snapshot = "snapshot-0000000000000000.snap"
        let size = try #require(try FileManager.default.attributesOfItem(atPath: copy + "/" + snapshot)[.size] as? Int)
        try flipByte(in: copy + "/" + snapshot, at: size / 2)

        let list = #"{"jsonrpc":"2.0","id":1,"method":"tasks.list"}"# + "\n"
        let server = try await CommandResult.run(["--data-dir", copy], input: Array(list.utf8))
        #expect(server.status == 65)
        #expect(server.standardOutput.isEmpty, "it answered: \(String(decoding: server.standardOutput, as: UTF8.self))")
        #expect(server.standardError.contains(copy + "/" + snapshot))

        let check = try await CommandResult.run(["check", "--data-dir", copy])
        let report = String(decoding: check.standardOutput, as: UTF8.self)
        #expect(check.status == 65)
        #expect(report.contains("DAMAGED"))
        #expect(report.contains(snapshot))
        #expect(report.contains("what to do:"))
    }

    @Test func checkExitsOneForADamagedSnapshotThatAStartRebuildsFromTheJournal() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let dataDirectory = directory.appending("data")
        try await createTasks(2, in: dataDirectory)
        // A snapshot up to record 2 whose bytes rotted; the journal from record 1 still holds both records.
        let snapshot = "snapshot-0000000000000002.snap"
        try Data(repeating: 0x5A, count: 64).write(to: URL(fileURLWithPath: dataDirectory + "/" + snapshot))

        let check = try await CommandResult.run(["check", "--data-dir", dataDirectory])
        let report = String(decoding: check.standardOutput, as: UTF8.self)
        #expect(check.status == 1, "check said: \(report)")
        #expect(report.contains("RECOVERABLE"))
        #expect(report.contains("repair: \(snapshot) is damaged"))
        #expect(report.contains(snapshot))
        #expect(report.contains("what to do:"))

        let list = #"{"jsonrpc":"2.0","id":1,"method":"tasks.list"}"# + "\n"
        let server = try await CommandResult.run(["--data-dir", dataDirectory], input: Array(list.utf8))
        #expect(server.status == 0)
        #expect(try JSONParser.parse(server.standardOutput)["result"]?["total"] == 2)
        #expect(server.standardError.contains(snapshot))
    }

    @Test func exportCarriesAttachmentBytesIntoTheImportedDirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = directory.appending("source")
        let copy = directory.appending("copy")
        let content = (0..<600).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let encoded = Data(content).base64EncodedString()
        let server = try ServerProcess(arguments: ["--data-dir", source])
        let created = try await server.client.call("tasks.create", params: ["title": "with a file"])
        let taskID = try #require(created["result"]?["task_id"]?.stringValue)
        let uploaded = try await server.client.call(
            "tasks.attachments.upload",
            params: ["task_id": .string(taskID), "filename": "data.bin", "content_base64": .string(encoded)])
        let attachmentID = try #require(uploaded["result"]?["attachment_id"]?.stringValue)
        server.client.closeWriting()
        #expect(try await server.waitForExit() == 0)

        let export = try await CommandResult.run(["export", "--data-dir", source])
        #expect(export.status == 0, "export failed: \(export.standardError)")
        let imported = try await CommandResult.run(["import", "-", "--data-dir", copy], input: export.standardOutput)
        #expect(imported.status == 0, "import failed: \(imported.standardError)")

        let restored = try ServerProcess(arguments: ["--data-dir", copy])
        defer { restored.kill() }
        let fetched = try await restored.client.call(
            "tasks.attachments.get", params: ["attachment_id": .string(attachmentID)])
        #expect(fetched["result"]?["content_base64"] == .string(encoded))
        #expect(fetched["result"]?["filename"] == "data.bin")
    }

    @Test(.enabled(if: TwoMebibyteVolume.canMount, "mounting a tmpfs needs root (CAP_SYS_ADMIN)"))
    func aTwoMebibyteDiskTakesWritesUntilFullAndLogsItOnce() async throws {
        let volume = try TwoMebibyteVolume()
        defer { volume.unmount() }
        // Records of over 400 bytes: about 5,000 of them hold more than the volume, whatever else it keeps.
        // One create at a time, until the first refusal, so the answers never race the end of input.
        let padding = String(repeating: "x", count: 400)
        let server = try ServerProcess(arguments: ["--data-dir", volume.path + "/data"])
        var created = 0
        var refusal: JSONValue?
        for index in 0..<8000 {
            let reply = try await server.client.call(
                "tasks.create", params: ["title": .string("task \(index) \(padding)")], timeout: .seconds(60))
            if reply["result"] != nil {
                created += 1
            } else {
                refusal = reply["error"]
                break
            }
        }
        // Further writes as large are refused too, and the full disk is not logged again. (A smaller record may
        // still fit in what is left.)
        for index in 0..<3 {
            let reply = try await server.client.call(
                "tasks.create", params: ["title": .string("task \(8000 + index) \(padding)")])
            #expect(reply["error"]?["code"] == 503)
        }
        server.client.closeWriting()
        #expect(try await server.waitForExit(timeout: .seconds(60)) == 0)
        // Before the reserve adapted, the 8 MiB chunk did not fit and the first create was refused.
        #expect(created > 1000, "only \(created) creates fit in 2 MiB")
        #expect(refusal?["code"] == 503, "\(String(describing: refusal))")
        let log = server.standardError.split(separator: "\n").filter { $0.contains("The disk is full") }
        #expect(log.count == 1, "\(log)")
        #expect(log.first?.contains("errno 28") == true)
    }

    // MARK: Helpers

    @discardableResult
    private func createTasks(_ count: Int, in dataDirectory: String) async throws -> [String] {
        let server = try ServerProcess(arguments: ["--data-dir", dataDirectory])
        var ids: [String] = []
        for index in 0..<count {
            let reply = try await server.client.call("tasks.create", params: ["title": .string("task \(index)")])
            ids.append(try #require(reply["result"]?["task_id"]?.stringValue))
        }
        server.client.closeWriting()
        #expect(try await server.waitForExit() == 0)
        return ids
    }

    private func journalPath(in dataDirectory: String) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: dataDirectory)
        let journal = try #require(names.filter { $0.hasPrefix("journal-") }.sorted().first)
        return dataDirectory + "/" + journal
    }

    /// The byte ranges of the journal's records: `[magic u32][length u32][crc u32][payload]`, little-endian.
    private func frameOffsets(of path: String) throws -> [(start: Int, end: Int)] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var frames: [(start: Int, end: Int)] = []
        var offset = 0
        func word(_ at: Int) -> Int {
            Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
        }
        while offset + 12 <= bytes.count, word(offset) != 0 {
            let end = offset + 12 + word(offset + 4)
            frames.append((offset, end))
            offset = end
        }
        return frames
    }

    private func flipByte(in path: String, at offset: Int) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        let original = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: [original ^ 0xFF])
    }
}

/// A 2 MiB tmpfs on a fresh directory.
private struct TwoMebibyteVolume {
    let directory: TemporaryDirectory
    var path: String { directory.path }

    init() throws {
        directory = try TemporaryDirectory()
        guard mount("tmpfs", directory.path, "tmpfs", 0, "size=2m,mode=0700") == 0 else {
            directory.remove()
            throw CocoaError(.fileWriteUnknown)
        }
    }

    func unmount() {
        _ = umount2(directory.path, Int32(MNT_DETACH))
        directory.remove()
    }

    /// Whether this process may mount a tmpfs (root, outside a restricted container).
    static let canMount: Bool = {
        guard let volume = try? TwoMebibyteVolume() else { return false }
        volume.unmount()
        return true
    }()
}
