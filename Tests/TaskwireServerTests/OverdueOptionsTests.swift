import TaskEngine
import Testing

@testable import TaskwireServer

/// `--remind-before-minutes`: the server-wide lead of `task_due_soon`.
struct OverdueOptionsTests {
    func serve(_ arguments: [String]) throws -> ServeOptions {
        guard case .serve(let options) = try CommandLineOptions.parse(arguments, environment: ["HOME": "/home/bot"])
        else { throw CommandLineError("not a serve command") }
        return options
    }

    @Test func theLeadDefaultsToAnHourAndZeroTurnsRemindersOff() throws {
        #expect(try serve([]).remindBeforeMinutes == 60)
        #expect(try serve(["--remind-before-minutes", "15"]).remindBeforeMinutes == 15)
        #expect(try serve(["--remind-before-minutes=0"]).remindBeforeMinutes == 0)
        #expect(try serve(["--remind-before-minutes", "525600"]).remindBeforeMinutes == 525_600)
        #expect(CommandLineOptions.usage.contains("--remind-before-minutes N"))
    }

    @Test(arguments: ["-1", "525601", "an hour", ""])
    func aBadLeadIsRefusedNamingTheOption(value: String) {
        #expect(throws: CommandLineError.self) { try serve(["--remind-before-minutes", value]) }
        do {
            _ = try serve(["--remind-before-minutes", value])
        } catch let error as CommandLineError {
            #expect(error.message.contains("--remind-before-minutes"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
