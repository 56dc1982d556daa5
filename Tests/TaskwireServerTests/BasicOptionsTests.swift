import JSON
import TaskEngine
import Testing

@testable import TaskwireServer

/// `taskwire basic`'s command line.
struct BasicOptionsTests {
    func parse(_ arguments: [String], environment: [String: String] = ["HOME": "/home/ann"]) throws -> BasicOptions {
        guard case .basic(let options) = try CommandLineOptions.parse(["basic"] + arguments, environment: environment)
        else {
            Issue.record("\(arguments) is not the basic command")
            return BasicOptions()
        }
        return options
    }

    @Test func aFileVariablesAndTheDefaultDataDirectory() throws {
        let options = try parse(["run.bas", "--var", "n=3", "--var=who=Ann", "--var", "id=007x", "--user", "ann"])
        #expect(options.file == "run.bas")
        #expect(options.dataDirectory == "/home/ann/.local/share/taskwire")
        #expect(options.user == UserID("ann"))
        #expect(options.variables.map(\.name) == ["n", "who", "id"])
        #expect(options.variables.map(\.value) == [3, "Ann", "007x"])
    }

    @Test func aPostgresDatabaseReplacesTheDefaultDataDirectory() throws {
        let options = try parse(["run.bas", "--postgres", "dbname=tasks"])
        #expect(options.postgres == "dbname=tasks" && options.dataDirectory == nil)
    }

    @Test func theSocketTakesItsTokenFromTheEnvironmentWhenNotGiven() throws {
        let options = try parse(["-", "--socket", "/tmp/s"], environment: ["TASKWIRE_TOKEN": "tw_env"])
        #expect(options.socketPath == "/tmp/s" && options.token == "tw_env" && options.dataDirectory == nil)
        #expect(try parse(["-", "--socket", "/tmp/s", "--token", "tw_flag"]).token == "tw_flag")
    }

    @Test(arguments: [
        ["--data-dir", "d"], ["a.bas", "b.bas"], ["a.bas", "--var", "novalue"], ["a.bas", "--colour", "red"],
        ["a.bas", "--socket", "/tmp/s"], ["a.bas", "--socket", "/tmp/s", "--token", "t", "--data-dir", "d"],
        ["a.bas", "--socket", "/tmp/s", "--token", "t", "--user", "ann"], ["a.bas", "--token", "t"],
        ["a.bas", "--postgres", "dbname=t", "--data-dir", "d"],
        ["a.bas", "--socket", "/tmp/s", "--token", "t", "--postgres", "x"],
    ])
    func badCommandLinesAreRefused(arguments: [String]) {
        #expect(throws: CommandLineError.self) { try CommandLineOptions.parse(["basic"] + arguments, environment: [:]) }
    }

    @Test func helpWinsAndListsTheExitStatuses() throws {
        guard case .usage(let text) = try CommandLineOptions.parse(["basic", "x.bas", "--help"], environment: [:])
        else {
            Issue.record("--help did not ask for usage")
            return
        }
        for status in ["0", "64", "65", "66", "69", "70", "74", "75", "77"] {
            #expect(text.contains(" \(status) ") || text.contains("\n\(status) "), "\(status)")
        }
        #expect(CommandLineOptions.usage.contains("taskwire basic FILE"))
    }
}
