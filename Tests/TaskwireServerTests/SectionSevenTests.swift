import JSON
import JSONRPC
import TestSupport
import Testing

@testable import TaskwireServer

/// Every example of https://www.jsonrpc.org/specification section 7, verbatim, through a real session.
struct SectionSevenTests {
    let methods = TestMethods()
    var harness: SessionHarness { SessionHarness(methods: methods.table()) }

    func exchange(_ request: String) async throws -> JSONValue {
        let harness = self.harness
        harness.send(request)
        return essentials(try await harness.reply())
    }

    @Test func positionalParameters() async throws {
        #expect(
            sameJSON(
                try await exchange(#"{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}"#),
                #"{"jsonrpc": "2.0", "result": 19, "id": 1}"#
            )
        )
        #expect(
            sameJSON(
                try await exchange(#"{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}"#),
                #"{"jsonrpc": "2.0", "result": -19, "id": 2}"#
            )
        )
    }

    @Test func namedParameters() async throws {
        #expect(
            sameJSON(
                try await exchange(
                    #"{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}"#
                ),
                #"{"jsonrpc": "2.0", "result": 19, "id": 3}"#
            )
        )
        #expect(
            sameJSON(
                try await exchange(
                    #"{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}"#
                ),
                #"{"jsonrpc": "2.0", "result": 19, "id": 4}"#
            )
        )
    }

    @Test func notificationsGetNoReplyButStillRun() async throws {
        let harness = self.harness
        harness.send(#"{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}"#)
        harness.send(#"{"jsonrpc": "2.0", "method": "foobar"}"#)
        #expect(try await harness.expectNothingBeforePing())
        #expect(methods.recorded == ["update"])
    }

    @Test func nonExistentMethod() async throws {
        #expect(
            sameJSON(
                try await exchange(#"{"jsonrpc": "2.0", "method": "foobar", "id": "1"}"#),
                #"{"jsonrpc": "2.0", "error": -32601, "id": "1"}"#
            )
        )
    }

    @Test func invalidJSON() async throws {
        #expect(
            sameJSON(
                try await exchange(#"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#),
                #"{"jsonrpc": "2.0", "error": -32700, "id": null}"#
            )
        )
    }

    @Test func invalidRequestObject() async throws {
        #expect(
            sameJSON(
                try await exchange(#"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#),
                #"{"jsonrpc": "2.0", "error": -32600, "id": null}"#
            )
        )
    }

    @Test func batchInvalidJSON() async throws {
        let reply = try await exchange(
            #"""
            [
              {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
              {"jsonrpc": "2.0", "method"
            ]
            """#
        )
        #expect(sameJSON(reply, #"{"jsonrpc": "2.0", "error": -32700, "id": null}"#))
    }

    @Test func emptyArray() async throws {
        #expect(sameJSON(try await exchange("[]"), #"{"jsonrpc": "2.0", "error": -32600, "id": null}"#))
    }

    @Test func invalidBatchButNotEmpty() async throws {
        let harness = self.harness
        harness.send("[1]")
        let reply = try await harness.reply()
        #expect(
            sameJSON(
                .array((reply.arrayValue ?? []).map(essentials)), #"[{"jsonrpc": "2.0", "error": -32600, "id": null}]"#)
        )
    }

    @Test func invalidBatch() async throws {
        let harness = self.harness
        harness.send("[1,2,3]")
        let reply = try await harness.reply()
        let expected = #"{"jsonrpc": "2.0", "error": -32600, "id": null}"#
        #expect(sameJSON(.array((reply.arrayValue ?? []).map(essentials)), "[\(expected),\(expected),\(expected)]"))
    }

    @Test func mixedBatch() async throws {
        let harness = self.harness
        harness.send(
            #"""
            [
                {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
                {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
                {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
                {"foo": "boo"},
                {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
                {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
            ]
            """#
        )
        let reply = try await harness.reply()
        #expect(
            sameJSON(
                .array((reply.arrayValue ?? []).map(essentials)),
                #"""
                [
                    {"jsonrpc": "2.0", "result": 7, "id": "1"},
                    {"jsonrpc": "2.0", "result": 19, "id": "2"},
                    {"jsonrpc": "2.0", "error": -32600, "id": null},
                    {"jsonrpc": "2.0", "error": -32601, "id": "5"},
                    {"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}
                ]
                """#,
                unorderedArray: true
            )
        )
        #expect(methods.recorded.contains("notify_hello"))
    }

    @Test func allNotificationBatchGetsNothingAtAll() async throws {
        let harness = self.harness
        harness.send(
            #"""
            [
                {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
                {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
            ]
            """#
        )
        #expect(try await harness.expectNothingBeforePing())
        #expect(Set(methods.recorded) == ["notify_sum", "notify_hello"])
    }
}
