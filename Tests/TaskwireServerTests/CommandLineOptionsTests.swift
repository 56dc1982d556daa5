import Delivery
import JSON
import JSONRPC
import TaskEngine
import TaskwireLog
import TestSupport
import Testing

@testable import TaskwireServer

struct CommandLineOptionsTests {
    let home = ["HOME": "/home/bot"]

    func serve(_ arguments: [String], environment: [String: String]? = nil) throws -> ServeOptions {
        guard case .serve(let options) = try CommandLineOptions.parse(arguments, environment: environment ?? home)
        else {
            throw CommandLineError("not a serve command")
        }
        return options
    }

    @Test func defaultsServeStdioWithAutoFraming() throws {
        let options = try serve([])
        #expect(options.stdio)
        #expect(options.socketPath == nil)
        #expect(options.framing == .auto)
        #expect(options.maxFrameBytes == 16 * 1024 * 1024)
        #expect(options.maxOutboundBytes == 64 * 1024 * 1024)
        #expect(options.logLevel == .info)
        #expect(options.durability == .always)
        #expect(options.dataDirectory == "/home/bot/.local/share/taskwire")
    }

    @Test func socketTurnsStdioOffUnlessAskedFor() throws {
        #expect(try serve(["--socket", "/tmp/t.sock"]).stdio == false)
        let both = try serve(["--socket=/tmp/t.sock", "--stdio"])
        #expect(both.stdio)
        #expect(both.socketPath == "/tmp/t.sock")
    }

    @Test func valuesAreParsed() throws {
        let options = try serve([
            "--framing", "lsp", "--max-frame-bytes", "1M", "--max-outbound-bytes=64k", "--log-level", "debug",
            "--durability", "batched", "--data-dir", "/srv/tw", "--max-batch", "5",
        ])
        #expect(options.framing == .lsp)
        #expect(options.maxFrameBytes == 1 << 20)
        #expect(options.maxOutboundBytes == 64 << 10)
        #expect(options.logLevel == .debug)
        #expect(options.durability == .batched)
        #expect(options.dataDirectory == "/srv/tw")
        #expect(options.maxBatchMembers == 5)
    }

    @Test func maxConnectionsIsAPositiveCountWithADerivedDefault() throws {
        #expect(try serve([]).maxConnections == nil)
        #expect(try serve(["--max-connections", "250"]).maxConnections == 250)
        #expect(throws: CommandLineError.self) { try serve(["--max-connections", "0"]) }
        #expect(throws: CommandLineError.self) { try serve(["--max-connections", "lots"]) }
        #expect(CommandLineOptions.usage.contains("--max-connections"))
        #expect((1...10_000).contains(ServerConfiguration.defaultMaxConnections))
    }

    @Test func eventRetentionIsAPositiveCount() throws {
        #expect(try serve([]).eventRetention == 1_000_000)
        #expect(try serve(["--event-retention", "500"]).eventRetention == 500)
        #expect(throws: CommandLineError.self) { try serve(["--event-retention", "0"]) }
        #expect(throws: CommandLineError.self) { try serve(["--event-retention", "many"]) }
        #expect(CommandLineOptions.usage.contains("--event-retention"))
    }

    @Test func sendmailTakesTheWholeCommandLine() throws {
        #expect(try serve([]).sendmailCommand == nil)
        #expect(try serve(["--sendmail", "/usr/sbin/sendmail -t -i"]).sendmailCommand == "/usr/sbin/sendmail -t -i")
        #expect(try serve(["--sendmail=msmtp -t"]).sendmailCommand == "msmtp -t")
        #expect(throws: CommandLineError.self) { try serve(["--sendmail", "  "]) }
        #expect(throws: CommandLineError.self) { try serve(["--sendmail"]) }
        #expect(CommandLineOptions.usage.contains("--sendmail"))
    }

    @Test func mailFromIsAMailboxAndABadOneIsAUsageErrorNamingTheFlag() throws {
        #expect(try serve([]).mailFrom == nil)
        let named = try #require(try serve(["--mail-from", "Task Bot <tasks@example.org>"]).mailFrom)
        #expect(named.displayName == "Task Bot" && named.address == "tasks@example.org")
        #expect(try serve(["--mail-from=tasks@example.org"]).mailFrom?.address == "tasks@example.org")
        for bad in ["not an address", "Bot <>", "", "a@b@c"] {
            #expect {
                try serve(["--mail-from", bad])
            } throws: { error in
                (error as? CommandLineError)?.message.hasPrefix("--mail-from must be") == true
            }
        }
        #expect(CommandLineOptions.usage.contains("--mail-from"))
    }

    @Test func deliveryRetryShortensTheScheduleAndIsValidated() throws {
        #expect(try serve([]).deliveryRetry == .standard)
        let short = try serve(["--delivery-retry", "0.2,1.5,4"]).deliveryRetry
        #expect(short == RetrySchedule(firstDelaySeconds: 0.2, maximumDelaySeconds: 1.5, maximumAttempts: 4))
        #expect(short.delay(afterFailedAttempts: 1) == 0.2 && short.delay(afterFailedAttempts: 4) == nil)
        #expect(try serve(["--delivery-retry=30, 3600, 10"]).deliveryRetry == .standard)
        for bad in ["1,2", "1,2,3,4", "-1,2,3", "5,2,3", "1,2,0", "1,2,x", "nan,2,3", "1,inf,3", "1,100000,3", ""] {
            #expect {
                try serve(["--delivery-retry", bad])
            } throws: { error in
                (error as? CommandLineError)?.message.hasPrefix("--delivery-retry must be") == true
            }
        }
        #expect(CommandLineOptions.usage.contains("--delivery-retry FIRST,MAX,ATTEMPTS"))
    }

    @Test func theChannelsFollowTheOptions() throws {
        let outbox = Launcher.deliveryChannels(options: try serve(["--data-dir", "/srv/tw/"]))
        #expect(outbox.map(\.name) == ["email", "webhook"])
        #expect((outbox[0] as? OutboxChannel)?.directory == "/srv/tw/outbox")
        #expect((outbox[0] as? OutboxChannel)?.sender == .defaultSender)
        #expect((outbox[1] as? WebhookChannel)?.version == TaskwireVersion.current)
        let sendmail = Launcher.deliveryChannels(
            options: try serve(["--sendmail", "/usr/sbin/sendmail -t -i", "--mail-from", "Bot <bot@example.org>"]))
        let channel = try #require(sendmail[0] as? SendmailChannel)
        #expect(channel.command == "/usr/sbin/sendmail -t -i" && channel.sender.address == "bot@example.org")
        let memory = Launcher.deliveryChannels(options: try serve(["--in-memory"]))
        #expect((memory[0] as? UnavailableChannel)?.reason.contains("--in-memory") == true)
        #expect(memory[1] is WebhookChannel)
        let postgres = Launcher.deliveryChannels(options: try serve(["--postgres", "dbname=t"]))
        #expect((postgres[0] as? UnavailableChannel)?.reason.contains("--outbox DIR") == true)
        let named = Launcher.deliveryChannels(
            options: try serve(["--postgres", "dbname=t", "--outbox", "/var/mail/tw"]))
        #expect((named[0] as? OutboxChannel)?.directory == "/var/mail/tw")
        let beside = Launcher.deliveryChannels(
            options: try serve(["--data-dir", "/srv/tw", "--outbox", "/var/mail/tw"]))
        #expect((beside[0] as? OutboxChannel)?.directory == "/var/mail/tw")
    }

    @Test func maxAttachmentBytesTakesASizeSuffix() throws {
        #expect(try serve([]).maxAttachmentBytes == 10 << 20)
        #expect(try serve(["--max-attachment-bytes", "64K"]).maxAttachmentBytes == 64 << 10)
        #expect(try serve(["--max-attachment-bytes=2M"]).maxAttachmentBytes == 2 << 20)
        #expect(throws: CommandLineError.self) { try serve(["--max-attachment-bytes", "0"]) }
        #expect(throws: CommandLineError.self) { try serve(["--max-attachment-bytes", "big"]) }
        #expect(CommandLineOptions.usage.contains("--max-attachment-bytes"))
    }

    @Test func inMemoryHasNoDataDirectory() throws {
        #expect(try serve(["--in-memory"]).dataDirectory == nil)
        #expect(throws: CommandLineError.self) { try serve(["--in-memory", "--data-dir", "/x"]) }
    }

    @Test func postgresReplacesTheDataDirectoryAndExcludesTheOtherKeepers() throws {
        let options = try serve(["--postgres", "postgresql:///tasks"])
        #expect(options.postgres == "postgresql:///tasks")
        #expect(options.dataDirectory == nil)
        #expect(try serve(["--postgres="]).postgres == "")
        #expect(throws: CommandLineError.self) { try serve(["--postgres", "x", "--data-dir", "/d"]) }
        #expect(throws: CommandLineError.self) { try serve(["--in-memory", "--postgres", "x"]) }
        // Durability modes are the file store's; a PostgreSQL write is answered after its commit.
        #expect(throws: CommandLineError.self) { try serve(["--postgres", "x", "--durability", "none"]) }
    }

    @Test func maintenanceSubcommandsTakeAPostgresDatabase() throws {
        #expect(
            try CommandLineOptions.parse(["export", "--postgres", "dbname=t"], environment: home)
                == .maintenance(.export(.postgres("dbname=t"))))
        #expect(
            try CommandLineOptions.parse(["import", "dump.json", "--postgres=dbname=t"], environment: home)
                == .maintenance(.importDocument(file: "dump.json", into: .postgres("dbname=t"))))
        #expect(
            try CommandLineOptions.parse(["migrate", "--postgres", "dbname=t"], environment: home)
                == .maintenance(.migrate(postgres: "dbname=t")))
        #expect(
            try CommandLineOptions.parse(["check", "--postgres", "dbname=t"], environment: home)
                == .maintenance(.checkDatabase(postgres: "dbname=t")))
        for refused in [
            ["migrate"], ["check", "--postgres", "x", "--data-dir", "/d"],
            ["export", "--postgres", "x", "--data-dir", "/d"],
        ] {
            #expect(throws: CommandLineError.self) { try CommandLineOptions.parse(refused, environment: home) }
        }
        guard case .usage(let text) = try CommandLineOptions.parse(["migrate", "--help"], environment: [:]) else {
            Issue.record("migrate --help did not ask for usage")
            return
        }
        #expect(text.hasPrefix("Usage: taskwire migrate --postgres URL"))
        #expect(text.contains("Exit status"))
    }

    @Test func dataDirectoryDefaultsFollowTheEnvironment() {
        #expect(
            CommandLineOptions.defaultDataDirectory(environment: ["TASKWIRE_DATA_DIR": "/a", "XDG_DATA_HOME": "/b"])
                == "/a"
        )
        #expect(
            CommandLineOptions.defaultDataDirectory(environment: ["XDG_DATA_HOME": "/b", "HOME": "/h"]) == "/b/taskwire"
        )
        #expect(CommandLineOptions.defaultDataDirectory(environment: ["HOME": "/h"]) == "/h/.local/share/taskwire")
        #expect(CommandLineOptions.defaultDataDirectory(environment: [:]) == nil)
    }

    @Test(arguments: [
        ["--bogus"], ["--framing", "xml"], ["--max-frame-bytes", "0"], ["--max-frame-bytes", "lots"],
        ["--log-level", "loud"], ["--durability", "sometimes"], ["--socket"], ["--stdio=yes"], ["serve-forever"],
        ["import"], ["export", "extra"], ["check", "--data-dir"], ["import", "a.json", "b.json"],
        ["--socket", "/tmp/" + String(repeating: "s", count: 120)],
    ])
    func badCommandLinesAreUsageErrors(arguments: [String]) {
        #expect(throws: CommandLineError.self) { try CommandLineOptions.parse(arguments, environment: home) }
    }

    @Test func maintenanceSubcommandsNameTheirDataDirectory() throws {
        #expect(
            try CommandLineOptions.parse(["export"], environment: home)
                == .maintenance(.export(.directory("/home/bot/.local/share/taskwire"))))
        #expect(
            try CommandLineOptions.parse(["check", "--data-dir", "/d"], environment: home)
                == .maintenance(.check(dataDirectory: "/d")))
        #expect(
            try CommandLineOptions.parse(["import", "-", "--data-dir=/d"], environment: home)
                == .maintenance(.importDocument(file: "-", into: .directory("/d"))))
    }

    @Test func helpAndVersionWin() throws {
        #expect(try CommandLineOptions.parse(["--help"], environment: [:]) == .help)
        #expect(try CommandLineOptions.parse(["--version"], environment: [:]) == .version)
    }

    @Test(arguments: [
        (["token", "create", "--help"], "Usage: taskwire token create"),
        (["token", "--help"], "Usage: taskwire token create"),
        (["token", "create", "--user", "bot", "-h"], "Usage: taskwire token create"),
        (["export", "--help"], "Usage: taskwire export"),
        (["import", "--help"], "Usage: taskwire import FILE"),
        (["import", "a.json", "--data-dir", "/d", "--help"], "Usage: taskwire import FILE"),
        (["check", "--help"], "Usage: taskwire check"),
        (["check", "-h"], "Usage: taskwire check"),
    ])
    func subcommandHelpPrintsItsUsage(arguments: [String], prefix: String) throws {
        // Without a data directory in the environment, so --help cannot depend on one.
        guard case .usage(let text) = try CommandLineOptions.parse(arguments, environment: [:]) else {
            Issue.record("\(arguments) did not ask for usage")
            return
        }
        #expect(text.hasPrefix(prefix))
        #expect(text.contains("Exit status"))
        #expect(text.contains("--data-dir DIR"))
    }

    @Test func everyUsageListsEveryExitStatusItsCommandReturns() {
        let serve = CommandLineOptions.usage
        for status in ["0", "64", "65", "69", "70", "74", "75"] { #expect(serve.contains(" \(status) "), "\(status)") }
        #expect(serve.contains("[--name NAME]"))
        #expect(TokenOptions.usage.contains("--name NAME"))
        let expected: [(String, [String])] = [
            (TokenOptions.usage, ["0", "64", "65", "74", "75"]),
            (MaintenanceCommand.exportUsage, ["0", "64", "65", "66", "74", "75"]),
            (MaintenanceCommand.importUsage, ["0", "64", "65", "66", "74", "75"]),
            (MaintenanceCommand.checkUsage, ["0", "1", "64", "65", "66", "74"]),
        ]
        for (usage, statuses) in expected {
            for status in statuses {
                #expect(
                    usage.contains(" \(status) ") || usage.contains("\n\(status) "),
                    "\(status) missing from \(usage.prefix(40))")
            }
        }
        #expect(MaintenanceCommand.CheckStatus.recoverable == 1)
        #expect(MaintenanceCommand.CheckStatus.damaged == 65)
    }
}

struct IdentityCommandLineTests {
    let home = ["HOME": "/home/bot"]

    func serve(_ arguments: [String]) throws -> ServeOptions {
        guard case .serve(let options) = try CommandLineOptions.parse(arguments, environment: home) else {
            throw CommandLineError("not a serve command")
        }
        return options
    }

    @Test func rateLimitsDefaultToTheSpecAndCanBeChangedOrTurnedOff() throws {
        #expect(try serve([]).rateLimits == .standard)
        let changed = try serve(["--rate-limit", "create=2/hour", "--rate-limit=list=5/minute"]).rateLimits
        #expect(changed.limits["create"] == .init(count: 2, window: 3600))
        #expect(changed.limits["list"] == .init(count: 5, window: 60))
        #expect(changed.limits["update"] == RateLimitPolicy.defaults["update"])
        #expect(try serve(["--rate-limit", "off"]).rateLimits.isOff)
        #expect(throws: CommandLineError.self) { try serve(["--rate-limit", "fly=1/hour"]) }
        #expect(throws: CommandLineError.self) { try serve(["--rate-limit", "create=often"]) }
    }

    @Test func stdioUserDefaultsToSystem() throws {
        #expect(try serve([]).stdioUser == "system")
        #expect(try serve(["--stdio-user", "bot"]).stdioUser == "bot")
        #expect(throws: CommandLineError.self) { try serve(["--stdio-user", ""]) }
    }

    @Test func tokenCreateIsASubcommand() throws {
        let command = try CommandLineOptions.parse(
            ["token", "create", "--user", "bot", "--role", "agent", "--label", "ci", "--expires-at", "1705312800"],
            environment: home)
        guard case .token(let options) = command else {
            Issue.record("expected the token command, got \(command)")
            return
        }
        #expect(options.userID == "bot" && options.role == .agent && options.label == "ci")
        #expect(options.expiresAt == .epochSeconds(1_705_312_800))
        #expect(options.location == .directory("/home/bot/.local/share/taskwire"))
        let onPostgres = try CommandLineOptions.parse(
            ["token", "create", "--user", "bot", "--postgres", "dbname=t"], environment: home)
        guard case .token(let tokenOnPostgres) = onPostgres else {
            Issue.record("expected the token command, got \(onPostgres)")
            return
        }
        #expect(tokenOnPostgres.location == .postgres("dbname=t"))
        #expect(throws: CommandLineError.self) {
            try CommandLineOptions.parse(
                ["token", "create", "--user", "bot", "--postgres", "x", "--data-dir", "/d"], environment: home)
        }
        #expect(throws: CommandLineError.self) {
            try CommandLineOptions.parse(["token", "create", "--role", "agent"], environment: home)
        }
        #expect(throws: CommandLineError.self) {
            try CommandLineOptions.parse(["token", "create", "--user", "x", "--role", "boss"], environment: home)
        }
        #expect(throws: CommandLineError.self) { try CommandLineOptions.parse(["token", "list"], environment: home) }
    }
}
