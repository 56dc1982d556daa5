import JSON
import JSONRPC
import Testing

struct IncomingTests {
    func classify(_ text: String) -> IncomingBody { IncomingBody.classify(Array(text.utf8)) }

    func single(_ text: String) -> Incoming? {
        guard case .single(let message) = classify(text) else { return nil }
        return message
    }

    @Test func requestNotificationAndResponseAreToldApart() {
        #expect(
            single(#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{}}"#)
                == .request(id: .number("1"), method: "ping", params: .object([:]))
        )
        #expect(single(#"{"jsonrpc":"2.0","method":"tick"}"#) == .notification(method: "tick", params: nil))
        #expect(
            single(#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#) == .request(id: .null, method: "ping", params: nil))
        #expect(single(#"{"jsonrpc":"2.0","id":3,"result":{}}"#) == .response(id: .number("3")))
    }

    @Test(arguments: [#""abc""#, "7", "1.0", "1e3", "-0", "null"])
    func idsKeepTheirExactText(id: String) {
        let message = single(#"{"jsonrpc":"2.0","id":\#(id),"method":"m"}"#)
        guard case .request(let parsed, _, _)? = message else {
            Issue.record("not a request: \(String(describing: message))")
            return
        }
        #expect(parsed.description == id)
    }

    @Test(arguments: ["true", "false", "{}", "[1]"])
    func booleanObjectAndArrayIdsAreInvalidWithNullID(id: String) {
        let message = single(#"{"jsonrpc":"2.0","id":\#(id),"method":"m"}"#)
        guard case .invalid(let replyID, let error)? = message else {
            Issue.record("expected invalid, got \(String(describing: message))")
            return
        }
        #expect(replyID == .null)
        #expect(error.code == -32600)
    }

    @Test(arguments: [
        #"{"jsonrpc":"1.0","id":5,"method":"m"}"#, #"{"id":5,"method":"m"}"#, #"{"jsonrpc":2.0,"id":5,"method":"m"}"#,
        #"{"jsonrpc":"2.0","id":5,"method":3}"#, #"{"jsonrpc":"2.0","id":5}"#,
        #"{"jsonrpc":"2.0","id":5,"method":"m","params":"x"}"#, #"{"jsonrpc":"2.0","id":5,"method":"m","params":null}"#,
    ])
    func malformedRequestWithReadableIDKeepsTheID(text: String) {
        guard case .invalid(let id, let error)? = single(text) else {
            Issue.record("expected invalid")
            return
        }
        #expect(id == .number("5"))
        #expect(error.code == -32600)
        #expect(error.name == "invalid_request")
    }

    @Test func scalarBodyIsInvalidRequestNotParseError() {
        #expect(
            classify("1") == .single(.invalid(id: .null, error: .invalidRequest("a request must be a JSON object"))))
        guard case .failure(let error) = classify("{oops") else {
            Issue.record("expected a parse failure")
            return
        }
        #expect(error.code == -32700)
        #expect(error.name == "parse_error")
    }

    @Test func emptyBatchAndOversizedBatchFailAsAWhole() {
        guard case .failure(let empty) = classify("[]") else {
            Issue.record("empty batch must fail")
            return
        }
        #expect(empty.code == -32600)
        guard case .failure(let big) = IncomingBody.classify(Array("[1,2,3]".utf8), maxBatchMembers: 2) else {
            Issue.record("oversized batch must fail")
            return
        }
        #expect(big.code == 413)
        #expect(big.name == "too_large")
        guard case .batch(let members) = classify("[1,2,3]") else {
            Issue.record("expected a batch")
            return
        }
        #expect(members.count == 3)
    }

    @Test func responsesAreEncodedWithKeysInOrder() {
        let success = ResponseEncoder.success(id: .number("1.0"), result: ["a": 1])
        #expect(String(decoding: success, as: UTF8.self) == #"{"jsonrpc":"2.0","id":1.0,"result":{"a":1}}"#)
        let failure = ResponseEncoder.failure(id: .null, error: .invalidRequest("bad"))
        #expect(
            String(decoding: failure, as: UTF8.self)
                == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid request: bad.","data":{"error":"invalid_request"}}}"#
        )
        let batch = ResponseEncoder.batch([Array("1".utf8), Array("2".utf8)])
        #expect(String(decoding: batch, as: UTF8.self) == "[1,2]")
    }
}
