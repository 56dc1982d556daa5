import Foundation
import JSON
import JSONRPC
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real binary on a PostgreSQL database (`--postgres`), against the test server `scripts/test` starts.
@Suite(.enabled(if: PostgresScratch.host != nil, "needs the test PostgreSQL server (scripts/test starts one)"))
struct PostgresEndToEndTests {
    /// A new database, migrated with `taskwire migrate`, which must say what it did.
    private func migratedDatabase() async throws -> String {
        let conninfo = try await PostgresScratch.createDatabase()
        let first = try await CommandResult.run(["migrate", "--postgres", conninfo])
        #expect(first.status == 0, "migrate failed: \(first.standardError)")
        #expect(first.standardError.contains("migrated the schema from version 0 to 3"))
        return conninfo
    }

    @Test func migrateIsIdempotentAndAServerRefusesAnUnmigratedDatabase() async throws {
        let conninfo = try await PostgresScratch.createDatabase()
        let refused = try await CommandResult.run(["--postgres", conninfo], input: [])
        #expect(refused.status == 74)
        #expect(
            refused.standardError.contains("run `taskwire migrate --postgres URL` first"), "\(refused.standardError)")

        let first = try await CommandResult.run(["migrate", "--postgres", conninfo])
        #expect(first.status == 0)
        let second = try await CommandResult.run(["migrate", "--postgres", conninfo])
        #expect(second.status == 0)
        #expect(second.standardError.contains("the schema is current (version 3)"))
        let unreachable = try await CommandResult.run(["migrate", "--postgres", "host=/nonexistent dbname=x"])
        #expect(unreachable.status == 74)
        #expect(unreachable.standardError.contains("PostgreSQL: migrating failed"))
    }

    @Test func everyAnsweredCreateSurvivesSIGKILLAtRandomMoments() async throws {
        let conninfo = try await migratedDatabase()
        var random = DurabilityTests.SplitMix(state: 0x9057_6E55)
        var answered: Set<String> = []
        for round in 0..<6 {
            let server = try ServerProcess(arguments: ["--postgres", conninfo, "--log-level", "error"])
            defer { server.kill() }
            answered.formUnion(
                try await DurabilityTests.createsAnsweredBeforeSIGKILL(
                    server, round: round, inFlight: 300, random: &random))
        }
        let export = try await CommandResult.run(["export", "--postgres", conninfo])
        #expect(export.status == 0, "export failed: \(export.standardError)")
        let document = try JSONParser.parse(export.standardOutput)
        let stored = Set((document["tasks"]?.arrayValue ?? []).compactMap { $0["task_id"]?.stringValue })
        #expect(answered.subtracting(stored).isEmpty, "\(answered.subtracting(stored).count) answered creates lost")
        #expect(answered.count >= 6)
    }

    @Test func aSecondServerFollowsTheWriterForwardsItsWritesAndTakesOverWhenTheWriterDies() async throws {
        let conninfo = try await migratedDatabase()
        let writer = try ServerProcess(arguments: ["--postgres", conninfo])
        defer { writer.kill() }
        let first = try await writer.client.call("tasks.create", params: ["title": "before the read node"])
        let firstID = try #require(first["result"]?["task_id"]?.stringValue)
        let reader = try ServerProcess(arguments: ["--postgres", conninfo, "--log-level", "info"])
        defer { reader.kill() }
        let events = EventReader(reader)
        let fetched = try await events.call("tasks.get", params: ["task_id": .string(firstID)])
        #expect(fetched["title"] == "before the read node")
        try await reader.waitForStandardError(containing: "serving reads: another taskwire writes this database")

        // The writer's commits reach the read node's subscribers, in commit order, pushed.
        let subscribed = try await events.call("events.subscribe", params: ["types": ["task_created"]])
        #expect(subscribed["subscription_id"] != nil)
        let writes = 30
        for index in 0..<writes {
            writer.client.sendRequest("tasks.create", params: ["title": .string("written \(index)")])
        }
        var pushed: [String] = []
        var cursors: [String] = []
        func take(_ params: JSONValue) throws {
            pushed.append(try #require(params["event"]?["object"]?["task_id"]?.stringValue))
            cursors.append(try #require(params["cursor"]?.stringValue))
        }
        while pushed.count < writes { try take(try await events.nextPushed()) }
        for _ in 0..<writes { #expect(try await writer.client.next(timeout: .seconds(20))["result"] != nil) }
        #expect(Set(pushed).count == writes && cursors == cursors.sorted(), "\(pushed)")
        let listed = try await events.call("tasks.list", params: ["limit": 100])
        #expect(listed["total"]?.intValue == writes + 1)

        // A write on the read node is made by the writer, and the read node shows it as soon as it answers.
        let forwarded = try await events.call("tasks.create", params: ["title": "on the read node"])
        let forwardedID = try #require(forwarded["task_id"]?.stringValue, "\(forwarded)")
        let readBack = try await events.call("tasks.get", params: ["task_id": .string(forwardedID)])
        #expect(readBack["title"] == "on the read node")
        let onWriter = try await writer.client.call("tasks.get", params: ["task_id": .string(forwardedID)])
        #expect(onWriter["result"]?["created_by"] == readBack["created_by"])
        try take(try await events.nextPushed())
        #expect(pushed.last == forwardedID)

        // The writer dies: the read node takes over, and the numbering goes on where the writer left it.
        writer.signal(SIGKILL)
        #expect(try await writer.waitForExit() == 128 + SIGKILL)
        try await reader.waitForStandardError(containing: "took over writing")
        let created = try await events.call("tasks.create", params: ["title": "after the takeover"])
        let createdID = try #require(created["task_id"]?.stringValue, "\(created)")
        let previous = cursors[cursors.count - 1]
        try take(try await events.nextPushed())
        #expect(pushed.last == createdID && cursors[cursors.count - 1] > previous)

        // The old writer, restarted, is now the read node, and a cursor from the other node resumes on it.
        let restarted = try ServerProcess(arguments: ["--postgres", conninfo])
        defer { restarted.kill() }
        let since = try await restarted.client.call(
            "events.since", params: ["cursor": .string(cursors[writes / 2]), "types": ["task_created"]])
        let resumed = (since["result"]?["events"]?.arrayValue ?? []).compactMap {
            $0["object"]?["task_id"]?.stringValue
        }
        #expect(resumed == Array(pushed[(writes / 2 + 1)...]), "\(since)")
        let again = try await restarted.client.call("tasks.create", params: ["title": "on the new read node"])
        #expect(again["result"]?["task_id"] != nil, "\(again)")
        reader.client.closeWriting()
        #expect(try await reader.waitForExit() == 0)
    }

    @Test func createsSpreadOverThreeNodesAreEachReadTheSameFromEveryNode() async throws {
        let conninfo = try await migratedDatabase()
        let arguments = ["--postgres", conninfo, "--log-level", "error"]
        let writer = try ServerProcess(arguments: arguments)
        defer { writer.kill() }
        _ = try await writer.client.call("ping")  // the first one writes
        let nodes = [writer, try ServerProcess(arguments: arguments), try ServerProcess(arguments: arguments)]
        defer { for node in nodes { node.kill() } }
        // Ten creates sent to each node at once, before any reply is read.
        for (index, node) in nodes.enumerated() {
            for number in 0..<10 {
                node.client.sendRequest("tasks.create", params: ["title": .string("node \(index) task \(number)")])
            }
        }
        var ids: Set<String> = []
        for node in nodes {
            for _ in 0..<10 {
                let created = try await node.client.next()
                ids.insert(try #require(created["result"]?["task_id"]?.stringValue, "\(created)"))
            }
        }
        #expect(ids.count == 30)
        // A node answers a write once it applied what the writer had committed: one more each, and every node
        // holds the thirty (the cross-node bound is the follow delay; read-your-writes holds at once).
        for node in nodes {
            let created = try await node.client.call("tasks.create", params: ["title": "the last one"])
            #expect(created["result"]?["task_id"] != nil, "\(created)")
        }
        var seen: [[String: JSONValue]] = []
        for node in nodes {
            var tasks: [String: JSONValue] = [:]
            for id in ids {
                tasks[id] = try await node.client.call("tasks.get", params: ["task_id": .string(id)])["result"]
            }
            let listed = try await node.client.call("tasks.list", params: ["limit": 100])
            #expect(listed["result"]?["tasks"]?.arrayValue?.count == 33, "\(listed)")
            seen.append(tasks)
        }
        #expect(seen[0].values.allSatisfy { $0["task_id"] != nil })
        #expect(seen[1] == seen[0] && seen[2] == seen[0])
    }

    @Test func aSIGKILLLoopOverTheNodesLosesNoAnsweredWriteAndAThirdNodesSubscriberMissesNothing() async throws {
        let conninfo = try await migratedDatabase()
        let arguments = ["--postgres", conninfo, "--log-level", "error"]
        var killable = [try ServerProcess(arguments: arguments)]
        _ = try await killable[0].client.call("ping")  // the first one writes
        killable.append(try ServerProcess(arguments: arguments))
        let watcher = try ServerProcess(arguments: arguments)
        defer {
            watcher.kill()
            for node in killable { node.kill() }
        }
        let events = EventReader(watcher)
        _ = try await events.call("events.subscribe", params: ["types": ["task_created"]])
        // Creates on one node at a time, killed at a random moment and started again: the writer and the read
        // node in turn, and a take-over each time the writer dies.
        var random = DurabilityTests.SplitMix(state: 0xF1EE_7000)
        var answered: Set<String> = []
        for round in 0..<6 {
            let index = round % 2
            answered.formUnion(
                try await DurabilityTests.createsAnsweredBeforeSIGKILL(
                    killable[index], round: round, inFlight: 200, random: &random))
            killable[index] = try ServerProcess(arguments: arguments)
        }
        // Answered on the watcher once it applied everything the writer had committed: the rounds' writes too.
        let last = try await events.call("tasks.create", params: ["title": "the last one"])
        let lastID = try #require(last["task_id"]?.stringValue)
        var pushed: [String] = []
        while pushed.last != lastID {
            pushed.append(try #require(try await events.next()["object"]?["task_id"]?.stringValue))
        }
        var stored: [String] = []
        var cursor: String?
        repeat {
            var params: JSONObject = ["types": ["task_created"], "limit": 500]
            params.append("cursor", ifPresent: cursor.map(JSONValue.string))
            let page = try await events.call("events.since", params: .object(params))
            stored += (page["events"]?.arrayValue ?? []).compactMap { $0["object"]?["task_id"]?.stringValue }
            cursor = page["has_more"] == true ? page["next_cursor"]?.stringValue : nil
        } while cursor != nil
        #expect(answered.subtracting(stored).isEmpty, "\(answered.subtracting(stored).count) answered creates lost")
        #expect(pushed == stored, "the subscriber saw \(pushed.count) creates, the feed holds \(stored.count)")
        #expect(answered.count >= 6)
    }

    /// A writer and a read node on `conninfo`, each serving the member ann on stdio with `rateLimit`.
    private func annOnTwoNodes(_ conninfo: String, rateLimit: String) async throws -> (ServerProcess, ServerProcess) {
        let token = try await CommandResult.run(
            ["token", "create", "--user", "ann", "--role", "member", "--postgres", conninfo])
        #expect(token.status == 0, "\(token.standardError)")
        let arguments = ["--postgres", conninfo, "--stdio-user", "ann", "--rate-limit", rateLimit]
        let writer = try ServerProcess(arguments: arguments)
        do {
            _ = try await writer.client.call("ping")  // the first one writes
            return (writer, try ServerProcess(arguments: arguments))
        } catch {
            writer.kill()
            throw error
        }
    }

    @Test func aUsersWriteLimitCountsTheWritesSentToEveryNodeAndAttachmentsReadEverywhere() async throws {
        let conninfo = try await migratedDatabase()
        let (writer, reader) = try await annOnTwoNodes(conninfo, rateLimit: "create=3/hour")
        defer {
            writer.kill()
            reader.kill()
        }
        // Three creates allowed per hour for ann, whichever node they are sent to: the writer counts them all.
        for node in [writer, reader, reader] {
            let created = try await node.client.call("tasks.create", params: ["title": "counted"])
            #expect(created["result"]?["task_id"] != nil, "\(created)")
        }
        for node in [reader, writer] {
            let refused = try await node.client.call("tasks.create", params: ["title": "one too many"])
            #expect(refused["error"]?["code"] == 429, "\(refused)")
            #expect(refused["error"]?["data"]?["operation"] == "create")
        }

        // Bytes uploaded through the read node are in the database, read from either node.
        let listed = try await reader.client.call("tasks.list", params: ["limit": 10])
        let taskID = try #require(listed["result"]?["tasks"]?.arrayValue?.first?["task_id"])
        let content = Data((0..<3_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }).base64EncodedString()
        let uploaded = try await reader.client.call(
            "tasks.attachments.upload",
            params: ["task_id": taskID, "filename": "shared.bin", "content_base64": .string(content)])
        let attachmentID = try #require(uploaded["result"]?["attachment_id"], "\(uploaded)")
        for node in [reader, writer] {
            let fetched = try await node.client.call("tasks.attachments.get", params: ["attachment_id": attachmentID])
            #expect(fetched["result"]?["content_base64"] == .string(content))
        }
        // export runs beside the servers, with the bytes.
        let export = try await CommandResult.run(["export", "--postgres", conninfo])
        #expect(export.status == 0, "\(export.standardError)")
        let document = try JSONParser.parse(export.standardOutput)
        #expect(document["tasks"]?.arrayValue?.count == 3)
        #expect(
            document["blobs"]?.objectValue?.members.first?.value == .string(content), "\(document["blobs"] ?? .null)")
    }

    @Test func aUsersReadLimitCountsTheReadsAnsweredOnEveryNode() async throws {
        let conninfo = try await migratedDatabase()
        let database = PostgresScratch.databaseName(conninfo)
        let (writer, reader) = try await annOnTwoNodes(conninfo, rateLimit: "list=4/hour")
        defer {
            writer.kill()
            reader.kill()
        }
        // Four lists an hour for ann: two on each node, each under the limit on its own.
        for node in [writer, reader, writer, reader] {
            let listed = try await node.client.call("tasks.list")
            #expect(listed["result"]?["tasks"] != nil, "\(listed)")
        }
        // Once both nodes have reported since the last call, and then read each other's reports, both refuse.
        func clock() async throws -> String {
            try await PostgresScratch.psql(database: database, "SELECT clock_timestamp()::text")
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func waitForBothNodes(_ column: String, after instant: String) async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            let query = "SELECT count(*) FROM taskwire_rate_nodes WHERE \(column) > '\(instant)'"
            while try await PostgresScratch.psql(database: database, query) != "2\n" {
                guard ContinuousClock.now < deadline else { throw TestTimeout("both nodes' \(column)") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        try await waitForBothNodes("reported_at", after: try await clock())
        try await waitForBothNodes("read_at", after: try await clock())
        for node in [reader, writer] {
            let refused = try await node.client.call("tasks.list")
            #expect(refused["error"]?["code"] == 429, "\(refused)")
            #expect(refused["error"]?["data"]?["operation"] == "list")
        }
    }

    @Test func aNotificationIsPushedToTheUsersConnectionOnAReadNodeAndMarkedReadThere() async throws {
        let conninfo = try await migratedDatabase()
        let token = try await CommandResult.run(
            ["token", "create", "--user", "bob", "--role", "member", "--postgres", conninfo])
        #expect(token.status == 0, "\(token.standardError)")
        let bobsToken = String(decoding: token.standardOutput, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let writer = try ServerProcess(arguments: ["--postgres", conninfo])
        defer { writer.kill() }
        _ = try await writer.client.call("ping")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("reader.sock")
        let reader = try ServerProcess(arguments: ["--postgres", conninfo, "--stdio", "--socket", path])
        defer { reader.kill() }
        _ = try await reader.client.call("ping")
        let bob = try RPCTestClient.connect(toSocket: path, framing: .ndjson)
        #expect(try await bob.call("auth.login", params: ["token": .string(bobsToken)])["result"] != nil)

        // A change made on the writer reaches bob's inbox, and his connection on the read node, pushed.
        let created = try await writer.client.call("tasks.create", params: ["title": "For bob", "assignee": "bob"])
        let taskID = try #require(created["result"]?["task_id"])
        let pushed = try await bob.next(timeout: .seconds(20))
        #expect(pushed["method"] == "notifications.notification", "\(pushed)")
        #expect(pushed["params"]?["notification"]?["task_id"] == taskID, "\(pushed)")
        #expect(pushed["params"]?["unread_count"] == 1, "\(pushed)")
        // Marked read through the read node (a write the writer makes), and read back there at once.
        let marked = try await bob.call("notifications.mark_read", params: ["all": true])
        #expect(marked["result"] != nil, "\(marked)")
        let inbox = try await bob.call("notifications.list")
        #expect(inbox["result"]?["unread_count"] == 0, "\(inbox)")
    }

    @Test func twoNodesRacingOnOneVersionGetOneWinnerAndIdempotencyKeysHoldAcrossNodes() async throws {
        let conninfo = try await migratedDatabase()
        let writer = try ServerProcess(arguments: ["--postgres", conninfo])
        defer { writer.kill() }
        _ = try await writer.client.call("ping")
        let reader = try ServerProcess(arguments: ["--postgres", conninfo])
        defer { reader.kill() }
        let nodes = [writer, reader]
        for round in 0..<10 {
            let created = try await nodes[round % 2].client.call(
                "tasks.create", params: ["title": .string("raced \(round)")])
            let taskID = try #require(created["result"]?["task_id"]?.stringValue)
            // Both nodes send the same update at once, each expecting version 1.
            let update: JSONValue = ["task_id": .string(taskID), "status": "in_progress", "if_version": 1]
            async let first = writer.client.call("tasks.update", params: update)
            async let second = reader.client.call("tasks.update", params: update)
            let replies = try await [first, second]
            #expect(replies.filter { $0["result"]?["version"] == 2 }.count == 1, "\(replies)")
            #expect(replies.filter { $0["error"]?["code"] == 409 }.count == 1, "\(replies)")
        }
        // One key, sent to both nodes: one task.
        let keyed: JSONValue = ["title": "once", "idempotency_key": "fleet-key-1"]
        let viaWriter = try await writer.client.call("tasks.create", params: keyed)
        let viaReader = try await reader.client.call("tasks.create", params: keyed)
        #expect(viaWriter["result"]?["task_id"] != nil)
        #expect(viaReader["result"]?["task_id"] == viaWriter["result"]?["task_id"])
        #expect(viaReader["result"]?["replayed"] == true)
    }

    @Test func aDataDirectoryMovesIntoPostgresAndBackUnchanged() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = directory.appending("source")
        let content = (0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let encoded = Data(content).base64EncodedString()
        let server = try ServerProcess(arguments: ["--data-dir", source])
        let created = try await server.client.call(
            "tasks.create", params: ["title": "moves to PostgreSQL", "tags": ["fleet"], "priority": "high"])
        let taskID = try #require(created["result"]?["task_id"]?.stringValue)
        _ = try await server.client.call(
            "tasks.comments.add", params: ["task_id": .string(taskID), "content": "first comment"])
        let uploaded = try await server.client.call(
            "tasks.attachments.upload",
            params: ["task_id": .string(taskID), "filename": "notes.bin", "content_base64": .string(encoded)])
        let attachmentID = try #require(uploaded["result"]?["attachment_id"]?.stringValue)
        server.client.closeWriting()
        #expect(try await server.waitForExit() == 0)
        let exported = try await CommandResult.run(["export", "--data-dir", source])
        #expect(exported.status == 0)

        let conninfo = try await migratedDatabase()
        let imported = try await CommandResult.run(
            ["import", "-", "--postgres", conninfo], input: exported.standardOutput)
        #expect(imported.status == 0, "import failed: \(imported.standardError)")
        let again = try await CommandResult.run(
            ["import", "-", "--postgres", conninfo], input: exported.standardOutput)
        #expect(again.status == 74, "a second import into a database that holds data is refused")
        let roundTrip = try await CommandResult.run(["export", "--postgres", conninfo])
        #expect(roundTrip.status == 0)
        #expect(try JSONParser.parse(roundTrip.standardOutput) == JSONParser.parse(exported.standardOutput))

        // Served from the database: the task, its history and the attachment's bytes, and new writes.
        let served = try ServerProcess(arguments: ["--postgres", conninfo])
        defer { served.kill() }
        let info = try await served.client.call("server.info")["result"]
        #expect(info?["storage"] == "postgresql" && info?["data_directory"] == .null, "\(String(describing: info))")
        let fetched = try await served.client.call("tasks.get", params: ["task_id": .string(taskID)])
        #expect(fetched["result"]?["title"] == "moves to PostgreSQL")
        let file = try await served.client.call(
            "tasks.attachments.get", params: ["attachment_id": .string(attachmentID)])
        #expect(file["result"]?["content_base64"] == .string(encoded))
        let version = try #require(fetched["result"]?["version"])
        let updated = try await served.client.call(
            "tasks.update", params: ["task_id": .string(taskID), "status": "in_progress", "if_version": version])
        #expect(updated["result"]?["updated"] == true, "\(updated)")
    }

    @Test func bytesNoAttachmentUsesAreDeletedAtStart() async throws {
        // As a crash between a blob write and the commit of its attachment leaves them.
        let conninfo = try await migratedDatabase()
        let database = PostgresScratch.databaseName(conninfo)
        let orphan = String(repeating: "ab", count: 32)
        try await PostgresScratch.psql(
            database: database, "INSERT INTO taskwire_blobs (key, bytes) VALUES ('\(orphan)', '\\x6f')")
        let server = try ServerProcess(arguments: ["--postgres", conninfo])
        defer { server.kill() }
        _ = try await server.client.call("ping")  // answered only once start-up, and so the sweep, is over
        let left = try await PostgresScratch.psql(database: database, "SELECT count(*) FROM taskwire_blobs")
        #expect(left.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test func everyCreateIsAnsweredOnceWhileTheDatabaseDropsTheServersConnections() async throws {
        // What a database restart or failover does to a running server: its connections go, mid-transaction.
        let conninfo = try await migratedDatabase()
        let database = PostgresScratch.databaseName(conninfo)
        let server = try ServerProcess(arguments: ["--postgres", conninfo, "--log-level", "error"])
        defer { server.kill() }
        var answered: Set<String> = []
        for round in 0..<5 {
            for index in 0..<200 {
                server.client.sendRequest("tasks.create", params: ["title": .string("round \(round) task \(index)")])
            }
            try await PostgresScratch.psql(
                database: "postgres",
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    + "WHERE datname = '\(database)' AND pid <> pg_backend_pid()")
            for _ in 0..<200 {
                let reply = try await server.client.next(timeout: .seconds(30))
                let id = try #require(reply["result"]?["task_id"]?.stringValue, "create failed: \(reply)")
                answered.insert(id)
            }
        }
        #expect(answered.count == 1_000)
        server.client.closeWriting()
        #expect(try await server.waitForExit() == 0)
        // A batch retried after its commit went through would leave the same record twice.
        let repeated = try await PostgresScratch.psql(
            database: database, "SELECT count(*) - count(DISTINCT md5(record)) FROM taskwire_journal")
        #expect(repeated.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        // What a restart recovers from the database: every answered create, each once.
        let export = try await CommandResult.run(["export", "--postgres", conninfo])
        #expect(export.status == 0, "export failed: \(export.standardError)")
        let tasks = try JSONParser.parse(export.standardOutput)["tasks"]?.arrayValue ?? []
        #expect(tasks.count == 1_000)
        #expect(Set(tasks.compactMap { $0["task_id"]?.stringValue }) == answered)
    }

    @Test func checkReadsTheDatabaseBesideALiveServerAndNamesADamagedRow() async throws {
        let unmigrated = try await PostgresScratch.createDatabase()
        let refused = try await CommandResult.run(["check", "--postgres", unmigrated])
        #expect(refused.status == 74)
        #expect(String(decoding: refused.standardOutput, as: UTF8.self).contains("taskwire migrate"))

        let conninfo = try await migratedDatabase()
        let server = try ServerProcess(arguments: ["--postgres", conninfo])
        defer { server.kill() }
        for index in 0..<3 { _ = try await server.client.call("tasks.create", params: ["title": .string("t\(index)")]) }
        // No lock: it runs while the server serves, and sees every answered write.
        let healthy = try await CommandResult.run(["check", "--postgres", conninfo])
        let report = String(decoding: healthy.standardOutput, as: UTF8.self)
        #expect(healthy.status == 0, "\(report) \(healthy.standardError)")
        #expect(report.hasPrefix("PostgreSQL database: healthy"))
        #expect(report.contains("every record replays; 3 tasks"), "\(report)")

        try await PostgresScratch.psql(
            database: PostgresScratch.databaseName(conninfo), "UPDATE taskwire_journal SET crc = crc + 1 WHERE pos = 2")
        let damaged = try await CommandResult.run(["check", "--postgres", conninfo])
        let problem = String(decoding: damaged.standardOutput, as: UTF8.self)
        #expect(damaged.status == 65)
        #expect(problem.contains("DAMAGED") && problem.contains("Journal row 2 fails its checksum"), "\(problem)")
    }
}
