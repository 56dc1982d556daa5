import Foundation
import JSON
import JSONRPC
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Tokens from the shell, socket login, 401/403 and `--stdio-user`, against the real binary.
struct IdentityEndToEndTests {
    /// Runs `taskwire token create ...` and returns its stdout line, failing unless it exits 0.
    func createToken(_ arguments: [String]) async throws -> String {
        let command = try ServerProcess(arguments: ["token", "create"] + arguments)
        defer { command.kill() }
        let line = try #require(try await command.client.nextBody())
        try await command.client.expectEndOfStream()
        let status = try await command.waitForExit()
        #expect(status == 0, "token create failed: \(command.standardError)")
        return String(decoding: line, as: UTF8.self)
    }

    @Test func theTokenCommandPrintsOneTokenThatLogsInOverASocket() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.appending("data")
        let token = try await createToken(["--user", "ann", "--role", "member", "--name", "Ann", "--data-dir", data])
        #expect(token.hasPrefix("tw_") && token.utf8.count == 46)

        let path = directory.appending("tw.sock")
        let server = try ServerProcess(arguments: ["--data-dir", data, "--stdio", "--socket", path])
        defer { server.kill() }
        _ = try await server.client.call("ping")
        let client = try RPCTestClient.connect(toSocket: path, framing: .ndjson)
        defer { client.disconnect() }
        #expect(try await client.call("ping")["result"] == .object([:]))
        let before = try await client.call("tasks.list")["error"]
        #expect(before?["code"] == 401 && before?["data"]?["error"] == "unauthorized")
        #expect(before?["message"] == "Log in with auth.login first.")
        #expect(try await client.call("auth.whoami")["error"]?["code"] == 401)

        let login = try await client.call("auth.login", params: ["token": .string(token)])["result"]
        #expect(login?["user_id"] == "ann" && login?["name"] == "Ann")
        let whoami = try await client.call("auth.whoami")["result"]
        #expect(whoami?["user_id"] == "ann" && whoami?["role"] == "member" && whoami?["authenticated_via"] == "token")

        // A member may not change the system user's task (403 over the wire), but reads it.
        let created = try await server.client.call("tasks.create", params: ["title": "System's"])["result"]
        let id = created?["task_id"] ?? .null
        #expect(try await client.call("tasks.get", params: ["task_id": id])["result"]?["title"] == "System's")
        let refused = try await client.call("tasks.update", params: ["task_id": id, "progress": 10])["error"]
        #expect(refused?["code"] == 403 && refused?["data"]?["error"] == "permission_denied")
        let own = try await client.call("tasks.create", params: ["title": "Ann's"])["result"]
        #expect(own?["created_by"] == "ann")

        // Revoking the token over stdio stops the socket connection at once.
        let tokenID = whoami?["token_id"] ?? .null
        _ = try await server.client.call("auth.tokens.revoke", params: ["token_id": tokenID])
        #expect(try await client.call("tasks.list")["error"]?["code"] == 401)

        server.client.closeWriting()
        #expect(try await server.waitForExit() == 0)
    }

    @Test func theTokenCommandFailsWithSeventyFiveWhileAServerHoldsTheDirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.appending("data")
        let server = try ServerProcess(arguments: ["--data-dir", data])
        defer { server.kill() }
        _ = try await server.client.call("ping")
        let command = try ServerProcess(arguments: [
            "token", "create", "--user", "bot", "--role", "agent", "--data-dir", data,
        ])
        defer { command.kill() }
        #expect(try await command.waitForExit() == 75)
        #expect(command.standardError.contains("in use"))
        try await command.client.expectEndOfStream()
    }

    @Test func stdioActsAsTheStdioUserWhichMustExist() async throws {
        let missing = try ServerProcess(arguments: ["--in-memory", "--stdio-user", "ghost"])
        defer { missing.kill() }
        #expect(try await missing.waitForExit() == 64)
        #expect(missing.standardError.contains("--stdio-user ghost does not exist"))

        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.appending("data")
        _ = try await createToken(["--user", "bot", "--role", "agent", "--data-dir", data])
        let server = try ServerProcess(arguments: ["--data-dir", data, "--stdio-user", "bot"])
        defer { server.kill() }
        let whoami = try await server.client.call("auth.whoami")["result"]
        #expect(whoami?["user_id"] == "bot" && whoami?["role"] == "agent" && whoami?["authenticated_via"] == "stdio")
        #expect(try await server.client.call("auth.tokens.create", params: ["user_id": "bot"])["error"]?["code"] == 403)
        server.client.closeWriting()
        #expect(try await server.waitForExit() == 0)
    }
}
