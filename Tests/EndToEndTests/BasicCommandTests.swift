import Foundation
import JSON
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `taskwire basic FILE` as a shell user runs it: on a data directory in-process, and against a running
/// server over its socket.
struct BasicCommandTests {
    /// The spec's snippet, byte for byte (tasks-api.md, "Integration with BASIC"), as a file.
    static let specSnippet = SpecExamples.basic + "\n"

    func output(_ result: CommandResult) -> String {
        String(decoding: result.standardOutput, as: UTF8.self)
    }

    /// Creates `user` in `data` with a token, which the command prints.
    func token(_ user: String, role: String, data: String) async throws -> String {
        let issued = try await CommandResult.run([
            "token", "create", "--user", user, "--role", role, "--data-dir", data,
        ])
        #expect(issued.status == 0, "\(issued.standardError)")
        return output(issued).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func theSpecSnippetRunsOnADataDirectoryAndItsTaskIsStored() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.appending("data")
        _ = try await token("user456", role: "member", data: data)
        try directory.write("followup.bas", Array(Self.specSnippet.utf8))
        let before = Date().timeIntervalSince1970
        let run = try await CommandResult.run([
            "basic", directory.appending("followup.bas"), "--data-dir", data,
        ])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(output(run) == "")

        let export = try await CommandResult.run(["export", "--data-dir", data])
        let tasks = try JSONParser.parse(export.standardOutput)["tasks"]?.arrayValue ?? []
        #expect(tasks.count == 1)
        let task = try #require(tasks.first)
        #expect(task["title"] == "Follow up with customer" && task["priority"] == "high")
        #expect(task["assignee"] == "user456" && task["created_by"] == "system")
        let due = try #require(task["due_date"]?.stringValue)
        let parsed = try #require(ISO8601DateFormatter().date(from: String(due.prefix(19)) + "Z"))
        #expect(abs(parsed.timeIntervalSince1970 - (before + 86_400)) < 120)
    }

    @Test func talkLinesGoToStdoutAndVarsSetVariables() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source =
            "id = CREATE TASK \"Call \" & who\nCOMPLETE TASK id\ns = GET TASK STATUS id\nTALK who & \": \" & s\nTALK n + 1\n"
        let run = try await CommandResult.run(
            [
                "basic", "-", "--data-dir", directory.appending("data"), "--var", "who=Ann", "--var",
                "n=41",
            ],
            input: Array(source.utf8))
        #expect(run.status == 0, "\(run.standardError)")
        #expect(output(run) == "Ann: completed\n42\n")
    }

    @Test func aSyntaxErrorIsFileLineColumnOnStderrAndExit65() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.appending("broken.bas")
        try directory.write("broken.bas", Array("x = 1\n\nIF x = 1 TALK \"one\"\nEND IF\n".utf8))
        let run = try await CommandResult.run([
            "basic", file, "--data-dir", directory.appending("data"),
        ])
        #expect(run.status == 65)
        #expect(run.standardError == "\(file):3:10: expected THEN, found TALK\n")
        #expect(output(run) == "")
    }

    @Test func aRuntimeErrorNamesTheServersMessage() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = "TALK \"before\"\nSET TASK PRIORITY \"tsk_missing\", \"high\"\n"
        let run = try await CommandResult.run(
            ["basic", "-", "--data-dir", directory.appending("data")], input: Array(source.utf8))
        #expect(run.status == 65)
        #expect(
            run.standardError.hasPrefix("<stdin>:2:1: SET TASK PRIORITY failed: "), "\(run.standardError)"
        )
        #expect(run.standardError.contains("task_not_found"))
        #expect(output(run) == "before\n")
    }

    @Test func badCommandLinesExit64AndAMissingFile66() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.appending("data")
        func status(_ arguments: [String]) async throws -> Int32 {
            try await CommandResult.run(["basic"] + arguments, input: Array("x = 1".utf8)).status
        }
        #expect(try await status(["--data-dir", data]) == 64)
        #expect(try await status(["-", "--var", "novalue", "--data-dir", data]) == 64)
        #expect(try await status(["-", "--token", "tw_x", "--data-dir", data]) == 64)
        #expect(try await status(["-", "--socket", directory.appending("s")]) == 64)
        #expect(try await status(["-", "--user", "ghost", "--data-dir", data]) == 64)
        #expect(try await status([directory.appending("none.bas"), "--data-dir", data]) == 66)
    }

    @Test func againstARunningServerTheScriptRunsAsTheTokensUser() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.appending("data")
        let token = try await token("ann", role: "member", data: data)
        let socket = directory.appending("tw.sock")
        let server = try ServerProcess(arguments: [
            "--data-dir", data, "--stdio", "--socket", socket, "--log-level", "error",
        ])
        defer { server.kill() }
        _ = try await server.client.call("ping")
        let source = "id = CREATE TASK \"Mine\"\ns = GET TASK STATUS id\nTALK \"created \" & s\n"
        let run = try await CommandResult.run(
            ["basic", "-", "--socket", socket, "--token", token], input: Array(source.utf8))
        #expect(run.status == 0, "\(run.standardError)")
        #expect(output(run) == "created pending\n")
        let listed = try await server.client.call("tasks.list", params: ["created_by": "ann"])
        #expect(listed["result"]?["tasks"]?.arrayValue?.count == 1)
        let refused = try await CommandResult.run(
            ["basic", "-", "--socket", socket, "--token", "tw_wrong"], input: Array(source.utf8))
        #expect(refused.status == 77)
    }
}
