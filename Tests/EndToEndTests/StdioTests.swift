import Foundation
import JSON
import JSONRPC
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real binary as a bot runtime's child process, over stdin and stdout.
struct StdioTests {
    @Test(arguments: [
        (Framing.ndjson, ["--in-memory"]), (.lsp, ["--in-memory"]), (.ndjson, ["--in-memory", "--framing", "ndjson"]),
        (.lsp, ["--in-memory", "--framing", "lsp"]),
    ])
    func builtinsAnswerInEitherFraming(framing: Framing, arguments: [String]) async throws {
        let server = try ServerProcess(arguments: arguments, framing: framing)
        defer { server.kill() }
        #expect(try await server.client.call("ping")["result"] == .object([:]))
        let info = try await server.client.call("server.info")["result"]
        #expect(info?["name"] == "taskwire")
        #expect(info?["framing"] == .string(framing.rawValue))
        #expect(info?["transport"] == "stdio")
        #expect(info?["data_directory"] == .null)
        #expect(info?["storage"] == "memory")
        let document = try await server.client.call("rpc.discover")["result"]
        #expect(document?["openrpc"]?.stringValue?.hasPrefix("1.4.") == true)
        server.client.closeWriting()
        #expect(try await server.waitForExit() == 0)
    }

    @Test func aLastLineWithoutNewlineIsAnsweredBeforeTheServerExits() async throws {
        // printf '{"jsonrpc":"2.0","id":1,"method":"ping"}' | taskwire --in-memory
        let server = try ServerProcess()
        defer { server.kill() }
        server.client.sendRaw(
            #"{"jsonrpc":"2.0","id":0,"method":"ping"}"# + "\n" + #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        server.client.closeWriting()
        #expect(try await server.client.next()["id"] == 0)
        let last = try await server.client.next()
        #expect(last["id"] == 1)
        #expect(last["result"] == .object([:]))
        try await server.client.expectEndOfStream()
        #expect(try await server.waitForExit() == 0)
    }

    @Test func anLSPBodyCutShortByEndOfInputIsLoggedNotAnswered() async throws {
        let server = try ServerProcess(framing: .lsp)
        defer { server.kill() }
        server.client.sendRaw("Content-Length: 40\r\n\r\n{\"jsonrpc\":\"2.0\",")
        server.client.closeWriting()
        try await server.client.expectEndOfStream()
        #expect(try await server.waitForExit() == 0)
        #expect(server.standardError.contains("input ended inside a frame"))
    }

    @Test func batchOfBuiltinsIsOneArray() async throws {
        let server = try ServerProcess()
        defer { server.kill() }
        server.client.send(
            body: #"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"ping"},"#
                + #"{"jsonrpc":"2.0","id":2,"method":"nope"},{"jsonrpc":"2.0","id":3,"method":"server.info"}]"#
        )
        let reply = try await server.client.next()
        let members = try #require(reply.arrayValue)
        #expect(members.count == 3)
        #expect(members.first { $0["id"] == 2 }?["error"]?["code"] == .int(-32601))
        server.client.send(body: #"[{"jsonrpc":"2.0","method":"ping"}]"#)
        server.client.send(body: "[]")
        let empty = try await server.client.next()
        #expect(empty["error"]?["code"] == .int(-32600))
    }

    @Test func connectionKeepsWorkingAfterBadInput() async throws {
        let server = try ServerProcess()
        defer { server.kill() }
        // The first byte decides the framing ('{' is NDJSON), so a well-formed request goes first.
        #expect(try await server.client.call("ping")["result"] == .object([:]))
        server.client.sendRaw("this is not json\n{\"jsonrpc\":\"2.0\",\"id\":\n\"just a string\"\n")
        #expect(try await server.client.next()["error"]?["code"] == .int(-32700))
        #expect(try await server.client.next()["error"]?["code"] == .int(-32700))
        #expect(try await server.client.next()["error"]?["code"] == .int(-32600))
        #expect(try await server.client.call("ping")["result"] == .object([:]))
    }

    @Test(arguments: [Framing.ndjson, .lsp])
    func oversizedFrameIsRefusedAndTheNextFrameWorks(framing: Framing) async throws {
        let server = try ServerProcess(arguments: ["--in-memory", "--max-frame-bytes", "1024"], framing: framing)
        defer { server.kill() }
        let padding = String(repeating: "x", count: 4000)
        server.client.send(body: #"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"\#(padding)"}}"#)
        let refused = try await server.client.next()
        #expect(refused["id"] == .null)
        #expect(refused["error"]?["code"] == .int(413))
        #expect(refused["error"]?["data"]?["error"] == "too_large")
        #expect(try await server.client.call("ping")["result"] == .object([:]))
    }

    @Test func megabyteRepliesWhileTheClientKeepsWritingDoNotDeadlock() async throws {
        // The outbound limit is raised so that only a deadlock, not the slow-reader rule, could stop this.
        let server = try ServerProcess(arguments: ["--in-memory", "--max-outbound-bytes", "512M"])
        defer { server.kill() }
        // Each batch of rpc.discover calls answers with over a megabyte; the requests alone are bigger than
        // a pipe buffer, and nothing is read until all of them are written.
        let member = #"{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}"#
        let batch = "[" + Array(repeating: member, count: 100).joined(separator: ",") + "]"
        let batches = 16
        for _ in 0..<batches { server.client.send(body: batch) }
        try await server.client.flush(timeout: .seconds(60))
        for _ in 0..<batches {
            let body = try #require(try await server.client.nextBody(timeout: .seconds(60)))
            #expect(body.count > 1 << 20)
        }
        #expect(try await server.client.call("ping")["result"] == .object([:]))
    }

    @Test func endOfStdinAnswersWhatWasSentThenExitsZero() async throws {
        let server = try ServerProcess()
        defer { server.kill() }
        server.client.send(body: #"{"jsonrpc":"2.0","id":"last","method":"ping"}"#)
        server.client.closeWriting()
        #expect(try await server.client.next()["id"] == "last")
        try await server.client.expectEndOfStream(timeout: .seconds(5))
        #expect(try await server.waitForExit(timeout: .seconds(5)) == 0)
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func terminationSignalExitsZero(signal: Int32) async throws {
        let server = try ServerProcess()
        defer { server.kill() }
        // The first answer proves the server is up and its signal handling installed.
        #expect(try await server.client.call("ping")["result"] == .object([:]))
        server.signal(signal)
        #expect(try await server.waitForExit(timeout: .seconds(10)) == 0)
        try await server.client.expectEndOfStream()
        #expect(server.standardError.contains("shutting down"))
    }

    @Test func stdoutCarriesOnlyFramesEvenWithDebugLogs() async throws {
        let server = try ServerProcess(arguments: ["--in-memory", "--log-level", "debug"])
        defer { server.kill() }
        server.client.sendRaw("[]\ngarbage\n[1,2]\n")
        server.client.send(body: #"{"jsonrpc":"2.0","id":1,"method":"server.info"}"#)
        server.client.send(body: #"{"jsonrpc":"2.0","method":"ping"}"#)
        server.client.send(body: #"{"jsonrpc":"2.0","id":2,"method":"ping"}"#)
        server.client.closeWriting()
        var count = 0
        while let body = try await server.client.nextBody() {
            let message = try JSONParser.parse(body)
            let responses = message.arrayValue ?? [message]
            for response in responses {
                #expect(response["jsonrpc"] == "2.0")
                #expect(response["result"] != nil || response["error"] != nil)
            }
            count += 1
        }
        #expect(count == 5)
        #expect(try await server.waitForExit() == 0)
        #expect(server.standardError.contains("debug"))
    }

    @Test func unusableHeaderBlockGetsOneErrorThenTheServerExits() async throws {
        let server = try ServerProcess(framing: .lsp)
        defer { server.kill() }
        server.client.sendRaw("Content-Type: application/json\r\n\r\n{}")
        let reply = try await server.client.next()
        #expect(reply["error"]?["code"] == .int(-32700))
        #expect(reply["id"] == .null)
        try await server.client.expectEndOfStream()
        #expect(try await server.waitForExit() == 65)
    }

    @Test func commandLineErrorsExit64AndHelpExitsZero() async throws {
        let bad = try ServerProcess(arguments: ["--no-such-flag"])
        defer { bad.kill() }
        #expect(try await bad.waitForExit() == 64)
        #expect(bad.standardError.contains("--no-such-flag"))
        let help = try ServerProcess(arguments: ["--help"])
        defer { help.kill() }
        let text = try #require(try await help.client.nextBody())
        #expect(String(decoding: text, as: UTF8.self).hasPrefix("Usage: taskwire"))
        #expect(try await help.waitForExit() == 0)
    }

    @Test(arguments: [
        (["token", "create", "--help"], "Usage: taskwire token create"),
        (["export", "--help"], "Usage: taskwire export"),
        (["import", "--help"], "Usage: taskwire import"),
        (["check", "--help"], "Usage: taskwire check"),
    ])
    func eachSubcommandsHelpExitsZeroWithItsUsage(arguments: [String], prefix: String) async throws {
        let result = try await CommandResult.run(arguments)
        let output = String(decoding: result.standardOutput, as: UTF8.self)
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(output.hasPrefix(prefix))
        #expect(output.contains("Exit status"))
        #expect(result.standardError.isEmpty)
    }
}
