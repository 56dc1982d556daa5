import JSON
import JSONRPC
import TaskStore
import TestSupport
import Testing

@testable import TaskwireServer

/// The JSON-RPC rules beyond section 7's examples: ids, versions, `$/` methods, error mapping, limits,
/// ordering, durability tickets.
struct DispatcherRuleTests {
    let methods = TestMethods()

    @Test(arguments: [#""abc""#, "42", "1.0", "1e3", "-7", "null", #""""#])
    func idIsEchoedExactlyAsSent(id: String) async throws {
        let harness = SessionHarness(methods: methods.table())
        harness.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"#)
        #expect(try await harness.replyText() == #"{"jsonrpc":"2.0","id":\#(id),"result":{}}"#)
    }

    @Test func aBatchWhoseRepliesWouldExceedTheLimitGetsOne413() async throws {
        let harness = SessionHarness(methods: methods.table(), maxBatchReplyBytes: 10_000)
        let member = #"{"jsonrpc":"2.0","id":1,"method":"big","params":{"bytes":3000}}"#
        harness.send("[" + Array(repeating: member, count: 3).joined(separator: ",") + "]")
        #expect(try await harness.reply().arrayValue?.count == 3)
        harness.send("[" + Array(repeating: member, count: 4).joined(separator: ",") + "]")
        let refused = try await harness.reply()
        #expect(refused["id"] == .null)
        #expect(refused["error"]?["code"] == 413)
        #expect(refused["error"]?["data"]?["error"] == "too_large")
        #expect(refused["error"]?["data"]?["max_bytes"] == 10_000)
        #expect(try await harness.expectNothingBeforePing())
    }

    @Test(arguments: ["true", "{}", "[1]"])
    func booleanObjectAndArrayIdsAreInvalidRequests(id: String) async throws {
        let harness = SessionHarness(methods: methods.table())
        harness.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"#)
        let reply = try await harness.reply()
        #expect(reply["id"] == .null)
        #expect(reply["error"]?["code"] == .int(-32600))
        #expect(reply["error"]?["data"]?["error"] == "invalid_request")
    }

    @Test(arguments: [#""1.0""#, #""2""#, "2.0", "null"])
    func jsonrpcMustBeExactlyTwoPointZero(version: String) async throws {
        let harness = SessionHarness(methods: methods.table())
        harness.send(#"{"jsonrpc":\#(version),"id":"keep","method":"ping"}"#)
        let reply = try await harness.reply()
        #expect(reply["id"] == "keep")
        #expect(reply["error"]?["code"] == .int(-32600))
    }

    @Test func validScalarBodyIsInvalidRequestNotParseError() async throws {
        let harness = SessionHarness(methods: methods.table())
        for body in ["1", #""text""#, "null", "true"] {
            harness.send(body)
            let reply = try await harness.reply()
            #expect(reply["error"]?["code"] == .int(-32600), "body \(body)")
            #expect(reply["id"] == .null)
        }
    }

    @Test func positionalParamsToANamedParamsMethodAreInvalidParams() async throws {
        let harness = SessionHarness(methods: methods.table())
        harness.send(#"{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}"#)
        let reply = try await harness.reply()
        #expect(reply["error"]?["code"] == .int(-32602))
        #expect(reply["error"]?["data"]?["error"] == "invalid_params")
    }

    @Test func dollarRequestsAreMethodNotFoundAndDollarNotificationsAreIgnored() async throws {
        let harness = SessionHarness(methods: methods.table())
        harness.send(#"{"jsonrpc":"2.0","id":1,"method":"$/cancelRequest","params":{"id":1}}"#)
        let reply = try await harness.reply()
        #expect(reply["id"] == 1)
        #expect(reply["error"]?["code"] == .int(-32601))
        harness.send(#"{"jsonrpc":"2.0","method":"$/setTrace","params":{"value":"off"}}"#)
        harness.send(#"{"jsonrpc":"2.0","method":"$/progress"}"#)
        #expect(try await harness.expectNothingBeforePing())
    }

    @Test func unexpectedErrorBecomesInternalErrorWithDetailOnlyInTheLog() async throws {
        let harness = SessionHarness(methods: methods.table())
        harness.send(#"{"jsonrpc":"2.0","id":9,"method":"fail"}"#)
        let text = try await harness.replyText()
        #expect(
            text
                == #"{"jsonrpc":"2.0","id":9,"error":{"code":-32603,"message":"Internal error.","data":{"error":"internal_error"}}}"#
        )
        #expect(!text.contains("fire"))
        #expect(harness.capture.text.contains("disk controller on fire"))
    }

    @Test func responsesFromTheClientAreIgnored() async throws {
        let harness = SessionHarness(methods: methods.table())
        harness.send(#"{"jsonrpc":"2.0","id":5,"result":{}}"#)
        harness.send(#"{"jsonrpc":"2.0","id":6,"error":{"code":1,"message":"x"}}"#)
        #expect(try await harness.expectNothingBeforePing())
    }

    @Test func batchOverTheLimitIsOneTooLargeError() async throws {
        let harness = SessionHarness(methods: methods.table(), maxBatchMembers: 3)
        let member = #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#
        harness.send("[\(member),\(member),\(member),\(member)]")
        let reply = try await harness.reply()
        #expect(reply["id"] == .null)
        #expect(reply["error"]?["code"] == .int(413))
        #expect(reply["error"]?["data"]?["error"] == "too_large")
        harness.send("[\(member),\(member),\(member)]")
        #expect(try await harness.reply().arrayValue?.count == 3)
    }

    @Test func singleRequestsRunInArrivalOrder() async throws {
        let harness = SessionHarness(methods: methods.table())
        var events: [FrameEvent] = []
        for n in 0..<50 {
            events.append(.frame(Array(#"{"jsonrpc":"2.0","id":\#(n),"method":"append","params":{"n":\#(n)}}"#.utf8)))
        }
        harness.session.receive(events)
        for n in 0..<50 {
            #expect(try await harness.reply()["id"] == .int(n))
        }
        #expect(methods.recorded == (0..<50).map { "append \($0)" })
    }

    @Test func replyWaitsForItsTicketWithoutBlockingLaterRequests() async throws {
        let harness = SessionHarness(methods: methods.table())
        harness.send(#"{"jsonrpc":"2.0","id":"w","method":"write","params":{"value":42}}"#)
        harness.send(#"{"jsonrpc":"2.0","id":"p","method":"ping"}"#)
        // The ping overtakes the write, whose ticket is not durable yet.
        #expect(try await harness.reply()["id"] == "p")
        methods.gate.open()
        let write = try await harness.reply()
        #expect(write["id"] == "w")
        #expect(write["result"] == 42)
    }

    @Test func failedTicketRepliesUnavailable() async throws {
        let harness = SessionHarness(methods: methods.table())
        harness.send(#"{"jsonrpc":"2.0","id":"w","method":"write","params":{"value":1}}"#)
        methods.gate.open(failing: StoreError(code: .failed, message: "fsync failed"))
        let reply = try await harness.reply()
        #expect(reply["error"]?["code"] == .int(503))
        #expect(reply["error"]?["data"]?["error"] == "unavailable")
    }

    @Test func batchReplyWaitsForEveryTicket() async throws {
        let harness = SessionHarness(methods: methods.table())
        harness.send(
            #"[{"jsonrpc":"2.0","id":1,"method":"write","params":{"value":"a"}},{"jsonrpc":"2.0","id":2,"method":"ping"}]"#
        )
        #expect(try await harness.expectNothingBeforePing(id: "\"after\""))
        methods.gate.open()
        let batch = try await harness.reply()
        #expect(batch.arrayValue?.count == 2)
        #expect(batch.arrayValue?.first?["result"] == "a")
    }

    @Test func batchMembersRunConcurrently() async throws {
        let harness = SessionHarness(methods: methods.table())
        // The first member only finishes when cancelled; the second cancels it from inside the same batch,
        // which can only work when both run at the same time.
        harness.send(
            #"[{"jsonrpc":"2.0","id":"slow","method":"wait_for_cancel"},{"jsonrpc":"2.0","id":"fast","method":"get_data"}]"#
        )
        _ = try await methods.started.next(timeout: .seconds(60), what: "wait_for_cancel to start")
        harness.send(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"slow"}}"#)
        let batch = try await harness.reply()
        let members = batch.arrayValue ?? []
        #expect(members.count == 2)
        #expect(members.first { $0["id"] == "slow" }?["error"]?["code"] == .int(-32800))
        #expect(members.first { $0["id"] == "fast" }?["result"] == ["hello", 5])
    }

    @Test func serverInfoReportsThisConnectionsFraming() async throws {
        let table = try MethodTable(
            BuiltinMethods.declarations(info: ServerInfo(transports: ["stdio"], dataDirectory: nil, durability: "none"))
        )
        let harness = SessionHarness(methods: table, framing: .lsp)
        harness.send(#"{"jsonrpc":"2.0","id":1,"method":"server.info"}"#)
        let result = try await harness.reply()["result"]
        #expect(result?["name"] == "taskwire")
        #expect(result?["version"] == .string(TaskwireVersion.current))
        #expect(result?["framing"] == "lsp")
        #expect(result?["data_directory"] == .null)
        #expect(result?["storage"] == "memory")
        #expect(result?["durability"] == "none")
        #expect(result?["uptime_seconds"]?.doubleValue.map { $0 >= 0 } == true)
        #expect(result?["transports"] == ["stdio"])
    }

    @Test func serverInfoSectionsAreAddedByOthers() async throws {
        var info = ServerInfo(transports: ["unix"], dataDirectory: "/data", durability: "always")
        info.addSection("counts") { ["tasks": 3] }
        let table = try MethodTable(BuiltinMethods.declarations(info: info))
        let harness = SessionHarness(methods: table)
        harness.send(#"{"jsonrpc":"2.0","id":1,"method":"server.info"}"#)
        let result = try await harness.reply()["result"]
        #expect(result?["counts"] == ["tasks": 3])
        #expect(result?["data_directory"] == "/data")
        #expect(result?["storage"] == "directory")
    }

    @Test func pingRejectsUnknownParams() async throws {
        let table = try MethodTable(
            BuiltinMethods.declarations(info: ServerInfo(transports: [], dataDirectory: nil, durability: "none")))
        let harness = SessionHarness(methods: table)
        harness.send(#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":1}}"#)
        let reply = try await harness.reply()
        #expect(reply["error"]?["code"] == .int(-32602))
        #expect(reply["error"]?["data"]?["field"] == "x")
        harness.send(#"{"jsonrpc":"2.0","id":2,"method":"ping","params":{}}"#)
        #expect(try await harness.reply()["result"] == .object([:]))
    }

    @Test func requestsAfterShutdownBeganAreRefusedWithUnavailable() async throws {
        let harness = SessionHarness(methods: methods.table())
        await harness.session.finishInput()
        harness.send(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        let reply = try await harness.reply()
        #expect(reply["error"]?["code"] == .int(503))
    }
}
