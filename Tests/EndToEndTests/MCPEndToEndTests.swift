import Foundation
import JSON
import JSONRPC
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real binary as an MCP server over stdio, in either framing, as hosts and editors spawn it.
struct MCPEndToEndTests {
    static let meta: JSONValue = [
        "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": [:],
    ]

    @Test(arguments: [Framing.ndjson, .lsp])
    func bothErasAnswerInEitherFraming(framing: Framing) async throws {
        let server = try ServerProcess(framing: framing)
        defer { server.kill() }
        let discovered = try await server.client.call("server/discover", params: ["_meta": Self.meta])
        #expect(discovered["result"]?["supportedVersions"] == ["2026-07-28"])
        let session = try await server.client.call(
            "initialize", params: ["protocolVersion": "2024-11-05", "capabilities": [:]])
        #expect(session["result"]?["protocolVersion"] == "2024-11-05")
        server.client.send(["jsonrpc": "2.0", "method": "notifications/initialized"])
        let tools = try await server.client.call("tools/list")
        #expect(tools["result"]?["tools"]?.arrayValue?.count ?? 0 > 30)
        #expect(try await server.client.call("ping")["result"] == .object([:]))
        server.client.closeWriting()
        #expect(try await server.waitForExit() == 0)
    }

    @Test func aToolCallsWriteIsDurableWhenAnswered() async throws {
        let directory = try TemporaryDirectory()
        let arguments = ["--data-dir", directory.appending("data"), "--log-level", "error"]
        let server = try ServerProcess(arguments: arguments)
        defer { server.kill() }
        let created = try await server.client.call(
            "tools/call", params: ["name": "tasks_create", "arguments": ["title": "Survives"], "_meta": Self.meta])
        let id = try #require(created["result"]?["structuredContent"]?["task_id"]?.stringValue)
        // Killed right after the answer, with no chance to flush anything more.
        server.signal(SIGKILL)
        #expect(try await server.waitForExit() == 128 + SIGKILL)

        let restarted = try ServerProcess(arguments: arguments)
        defer { restarted.kill() }
        let read = try await restarted.client.call(
            "tools/call", params: ["name": "tasks_get", "arguments": ["task_id": .string(id)], "_meta": Self.meta])
        #expect(read["result"]?["isError"] == false)
        #expect(read["result"]?["structuredContent"]?["title"] == "Survives")
        restarted.client.closeWriting()
        #expect(try await restarted.waitForExit() == 0)
    }
}
