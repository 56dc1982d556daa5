import JSON
import JSONRPC
import TestSupport
import Testing

@testable import TaskwireServer

struct CancellationTests {
    let methods = TestMethods()

    @Test func runningRequestIsAnsweredWithRequestCancelled() async throws {
        let harness = SessionHarness(methods: methods.table())
        harness.send(#"{"jsonrpc":"2.0","id":7,"method":"wait_for_cancel"}"#)
        _ = try await methods.started.next(timeout: .seconds(60), what: "wait_for_cancel to start")
        harness.send(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":7}}"#)
        let reply = try await harness.reply()
        #expect(reply["id"] == 7)
        #expect(reply["error"]?["code"] == .int(-32800))
        #expect(reply["error"]?["data"]?["error"] == "request_cancelled")
        #expect(harness.session.pendingRequests == 0)
    }

    @Test func queuedRequestCancelledBeforeItStartsNeverRuns() async throws {
        let harness = SessionHarness(methods: methods.table())
        harness.send(#"{"jsonrpc":"2.0","id":"busy","method":"wait_for_cancel"}"#)
        harness.send(#"{"jsonrpc":"2.0","id":"queued","method":"get_data"}"#)
        _ = try await methods.started.next(timeout: .seconds(60), what: "wait_for_cancel to start")
        harness.send(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"queued"}}"#)
        harness.send(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"busy"}}"#)
        let first = try await harness.reply()
        let second = try await harness.reply()
        #expect(first["id"] == "busy")
        #expect(first["error"]?["code"] == .int(-32800))
        #expect(second["id"] == "queued")
        #expect(second["error"]?["code"] == .int(-32800))
        #expect(methods.recorded.isEmpty)
    }

    @Test func cancellationInTheSameReadAsTheRequestIsHonoured() async throws {
        let harness = SessionHarness(methods: methods.table())
        harness.session.receive([
            .frame(Array(#"{"jsonrpc":"2.0","id":1,"method":"get_data"}"#.utf8)),
            .frame(Array(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#.utf8)),
        ])
        #expect(try await harness.reply()["error"]?["code"] == .int(-32800))
        #expect(methods.recorded.isEmpty)
    }

    @Test func unknownOrMalformedCancellationsAreIgnored() async throws {
        let harness = SessionHarness(methods: methods.table())
        harness.send(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":99}}"#)
        harness.send(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":true}}"#)
        harness.send(#"{"jsonrpc":"2.0","method":"$/cancelRequest"}"#)
        #expect(try await harness.expectNothingBeforePing())
    }

    @Test func finishedWriteIsNotTurnedIntoACancellation() async throws {
        let harness = SessionHarness(methods: methods.table())
        harness.send(#"{"jsonrpc":"2.0","id":"w","method":"write","params":{"value":"kept"}}"#)
        #expect(try await harness.expectNothingBeforePing())
        harness.send(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"w"}}"#)
        methods.gate.open()
        let reply = try await harness.reply()
        #expect(reply["result"] == "kept")
    }

    @Test func cancelAllAnswersEveryRunningRequest() async throws {
        let harness = SessionHarness(methods: methods.table())
        harness.send(#"{"jsonrpc":"2.0","id":1,"method":"wait_for_cancel"}"#)
        _ = try await methods.started.next(timeout: .seconds(60), what: "wait_for_cancel to start")
        harness.session.cancelAll()
        #expect(try await harness.reply()["error"]?["code"] == .int(-32800))
        await harness.session.finishInput()
    }
}
