package import Delivery
import Foundation
package import JSONRPC
package import TaskEngine
package import TaskwireLog
package import Transport

/// What the command line asked for.
package enum Command: Sendable, Equatable {
    /// Serve JSON-RPC (the default when no subcommand is given).
    case serve(ServeOptions)
    /// Print the usage text to stdout and exit 0.
    case help
    /// Print one subcommand's usage text (`taskwire check --help`) to stdout and exit 0.
    case usage(String)
    /// Print the version to stdout and exit 0.
    case version
    /// `export`, `import` or `check` on a data directory.
    case maintenance(MaintenanceCommand)
    /// `taskwire token create ...`: issue a bearer token from the shell.
    case token(TokenOptions)
    /// `taskwire basic FILE ...`: run a BASIC script over the task API.
    case basic(BasicOptions)
}

/// How durable an answered write is; the store honours it once it is wired in.
package enum Durability: String, Sendable, CaseIterable {
    /// Every write is fsync'd before it is answered.
    case always
    /// Writes are fsync'd in groups; a write is still answered only after its group is durable.
    case batched
    /// Writes are never fsync'd (tests, throwaway data).
    case none
}

/// The options of the serve command.
package struct ServeOptions: Sendable, Equatable {
    /// Whether stdio is served.
    package var stdio = true
    /// The Unix socket path, when one was given.
    package var socketPath: String?
    /// `--framing`.
    package var framing = FramingMode.auto
    /// `--max-frame-bytes`.
    package var maxFrameBytes = FramingLimits.defaultMaxFrameBytes
    /// `--max-outbound-bytes`.
    package var maxOutboundBytes = Connection.Configuration.defaultMaxOutboundBytes
    /// `--max-batch`.
    package var maxBatchMembers = IncomingBody.defaultMaxBatchMembers
    /// `--max-connections`; nil for the default, which depends on the descriptor limit.
    package var maxConnections: Int?
    /// `--log-level`.
    package var logLevel = Logger.Level.info
    /// The data directory, or nil with `--in-memory` or `--postgres`.
    package var dataDirectory: String?
    /// `--postgres`: the libpq connection string of the database that keeps the data instead.
    package var postgres: String?
    /// `--durability`.
    package var durability = Durability.always
    /// `--stdio-user`: who the stdio connection acts as until it logs in.
    package var stdioUser = User.systemID
    /// `--rate-limit` (repeatable): the limits in force.
    package var rateLimits = RateLimitPolicy.standard
    /// `--max-attachment-bytes`: the largest attachment accepted, in decoded bytes.
    package var maxAttachmentBytes = CollaborationLimits.defaultAttachmentBytes
    /// `--event-retention`: the event feed serves the newest this many commits.
    package var eventRetention = EventHub.Limits.defaultRetention
    /// `--sendmail "COMMAND"`: the sendmail-compatible command email notifications are handed to (the
    /// message on its stdin, as `/usr/sbin/sendmail -t -i` takes it); without it, email notifications are
    /// written as `.eml` files into `<data-dir>/outbox/`.
    package var sendmailCommand: String?
    /// `--outbox DIR`: where email notifications are written as `.eml` files when no `--sendmail` is given;
    /// `nil` for `<data-dir>/outbox/`.
    package var outboxDirectory: String?
    /// `--remind-before-minutes`: how long before a due date `task_due_soon` fires; 0 turns reminders off.
    package var remindBeforeMinutes = Int(Engine.standardReminderLeadSeconds / 60)
    /// `--mail-from "Name <addr>"`: the `From` of every email notification; `nil` for
    /// ``Mailbox/defaultSender`` (`taskwire <taskwire@HOST>`).
    package var mailFrom: Mailbox?
    /// `--delivery-retry FIRST_SECONDS,MAX_SECONDS,ATTEMPTS`: when failed email and webhook deliveries are
    /// tried again and when they are given up.
    package var deliveryRetry = RetrySchedule.standard

    /// Defaults: stdio, auto framing, 16 MiB frames, 64 MiB outbound, info logs, always durable, 10 MiB
    /// attachments.
    package init() {}
}

/// A command line that cannot be run; the message goes to stderr and the process exits 64.
package struct CommandLineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in one sentence.
    package var message: String

    /// An error with a message.
    package init(_ message: String) { self.message = message }

    package var description: String { message }
}

/// Parses taskwire's command line by hand.
///
/// A first word that is not a flag selects a subcommand (`token`; serving needs no word); everything else
/// is `--flag value` or `--flag=value`.
package enum CommandLineOptions {
    /// The usage text for `--help`.
    package static let usage = """
        Usage: taskwire [options]
               taskwire token create --user ID [--role ROLE] [--name NAME] [--label L] [--expires-at T]
                                     [--data-dir DIR]
               taskwire basic FILE [--data-dir DIR | --socket PATH --token T] [--var NAME=VALUE ...]
               taskwire export|import|check|migrate ...   (see Maintenance below)
               taskwire COMMAND --help             One command's usage and exit statuses.

        Serves the taskwire JSON-RPC 2.0 API on stdin/stdout (the default) and/or a Unix socket.

        Options:
          --stdio                     Serve stdin/stdout (the default unless --socket is given).
          --socket PATH               Listen on a Unix domain socket (mode 0600).
          --framing auto|ndjson|lsp   Message framing; auto decides per connection from the first byte
                                      ('{' or '[' means NDJSON, a letter means Content-Length headers).
                                      Default: auto.
          --max-frame-bytes N         Largest message accepted; K, M, G suffixes allowed. Default: 16M.
          --max-outbound-bytes N      Reply bytes that may wait for a slow client before it is
                                      disconnected. Default: 64M.
          --max-batch N               Most messages in one batch. Default: 10000.
          --max-connections N         Most socket connections open at once; one more gets a 503
                                      too_many_connections error and is closed. Default: 10000 (fewer
                                      if the open-file limit, raised to its hard limit, is lower).
          --log-level LEVEL           error, warning, info or debug; logs go to stderr. Default: info.
          --data-dir DIR              Where data is kept. Default: $TASKWIRE_DATA_DIR, else
                                      $XDG_DATA_HOME/taskwire, else $HOME/.local/share/taskwire.
          --in-memory                 Keep nothing on disk.
          --postgres URL              Keep the data in a PostgreSQL database instead (a postgresql:// URL,
                                      or libpq keywords; "" uses the PG* variables); run taskwire migrate
                                      first. Needs a build with the PostgreSQL backend (docs/postgres.md).
          --durability MODE           always, batched or none. Default: always.
          --stdio-user ID             The user stdio acts as until auth.login; it must exist. Default: system.
          --rate-limit OP=COUNT/WINDOW
                                      Per-user limit of one operation (create, update, list, comment,
                                      attach, read, admin, script), e.g. create=100/hour; repeatable.
          --rate-limit off            No rate limits.
          --max-attachment-bytes N    Largest attachment accepted (decoded bytes); K, M, G suffixes
                                      allowed. Larger uploads get 413 too_large. Default: 10M.
          --event-retention N         The event feed serves the newest N commits; older cursors get
                                      409 cursor_expired. Default: 1000000.
          --sendmail "COMMAND"        Hand email notifications to this sendmail-compatible command
                                      (e.g. "/usr/sbin/sendmail -t -i"). Default: .eml files in
                                      <data-dir>/outbox/ (with --in-memory, emails are given up).
          --outbox DIR                Write email notifications as .eml files into DIR instead of
                                      <data-dir>/outbox/ (with --postgres, the way to get the files).
          --remind-before-minutes N   Fire task_due_soon N minutes before an open task's due date
                                      (0 turns reminders off; at most 525600). Default: 60.
          --mail-from "NAME <ADDRESS>"
                                      The From of email notifications. Default: taskwire <taskwire@HOST>.
          --delivery-retry FIRST,MAX,ATTEMPTS
                                      Retry failed email and webhook deliveries after FIRST seconds,
                                      doubling up to MAX seconds, giving up after ATTEMPTS attempts in
                                      all. Default: 30,3600,10 (given up about 3 h 4 min after the first).
          --version                   Print the version and exit.
          --help                      Print this help and exit.

        Exit status when serving: 0 after a clean shutdown (stdin EOF, SIGTERM, SIGINT); 64 for a bad command
        line or an --stdio-user that does not exist; 65 when the stdio peer's framing is unusable or the stored
        data is damaged (taskwire check names the file); 69 when a transport cannot start; 70 for internal
        errors; 74 when the data directory cannot be created or read, or a write or fsync of the store failed
        (nothing answered is lost); 75 when another taskwire holds the data directory.

        """

    /// Parses the arguments after the program name; `environment` supplies the default data directory.
    package static func parse(
        _ arguments: [String], environment: [String: String]
    ) throws(CommandLineError)
        -> Command
    {
        let remaining = arguments[...]
        if let first = remaining.first, !first.hasPrefix("-") {
            switch first {
            case "export", "import", "check", "migrate":
                if asksForHelp(remaining.dropFirst()) { return .usage(MaintenanceCommand.usage(of: first)) }
                return .maintenance(
                    try MaintenanceCommand.parse(first, remaining.dropFirst(), environment: environment))
            case "token":
                if asksForHelp(remaining.dropFirst()) { return .usage(TokenOptions.usage) }
                return .token(try TokenOptions.parse(remaining.dropFirst(), environment: environment))
            case "basic":
                if asksForHelp(remaining.dropFirst()) { return .usage(BasicOptions.usage) }
                return .basic(try BasicOptions.parse(remaining.dropFirst(), environment: environment))
            default:
                throw CommandLineError("Unknown command '\(first)'. Run taskwire --help for usage.")
            }
        }
        var options = ServeOptions()
        var stdioRequested = false
        var inMemory = false
        var dataDirectory: String?
        var postgres: String?
        var cursor = ArgumentCursor(remaining)
        while let word = cursor.next() {
            let (argument, name) = (word.argument, word.name)
            func value() throws(CommandLineError) -> String { try cursor.value(of: word) }
            func flagOnly() throws(CommandLineError) {
                if word.inlineValue != nil { throw CommandLineError("\(name) takes no value.") }
            }
            switch name {
            case "--help", "-h":
                try flagOnly()
                return .help
            case "--version":
                try flagOnly()
                return .version
            case "--stdio":
                try flagOnly()
                stdioRequested = true
            case "--socket":
                let path = try value()
                guard !path.isEmpty else { throw CommandLineError("--socket needs a path.") }
                guard path.utf8.count <= UnixSocketListener.maxPathBytes else {
                    throw CommandLineError(
                        "--socket path is \(path.utf8.count) bytes; Unix sockets allow at most "
                            + "\(UnixSocketListener.maxPathBytes)."
                    )
                }
                options.socketPath = path
            case "--framing":
                let text = try value()
                guard let mode = FramingMode(rawValue: text) else {
                    throw CommandLineError("--framing must be auto, ndjson or lsp, not '\(text)'.")
                }
                options.framing = mode
            case "--max-frame-bytes":
                options.maxFrameBytes = try byteCount(try value(), flag: name)
            case "--max-outbound-bytes":
                options.maxOutboundBytes = try byteCount(try value(), flag: name)
            case "--max-attachment-bytes":
                options.maxAttachmentBytes = try byteCount(try value(), flag: name)
            case "--event-retention":
                let text = try value()
                guard let count = Int(text), count > 0 else {
                    throw CommandLineError("--event-retention must be a positive integer, not '\(text)'.")
                }
                options.eventRetention = count
            case "--remind-before-minutes":
                let text = try value()
                guard let minutes = Int(text), (0...maxRemindBeforeMinutes).contains(minutes) else {
                    throw CommandLineError(
                        "--remind-before-minutes must be an integer from 0 to \(maxRemindBeforeMinutes), not '\(text)'."
                    )
                }
                options.remindBeforeMinutes = minutes
            case "--max-connections":
                let text = try value()
                guard let count = Int(text), count > 0 else {
                    throw CommandLineError("--max-connections must be a positive integer, not '\(text)'.")
                }
                options.maxConnections = count
            case "--max-batch":
                let text = try value()
                guard let count = Int(text), count > 0 else {
                    throw CommandLineError("--max-batch must be a positive integer, not '\(text)'.")
                }
                options.maxBatchMembers = count
            case "--log-level":
                let text = try value()
                guard let level = Logger.Level(name: text) else {
                    throw CommandLineError("--log-level must be error, warning, info or debug, not '\(text)'.")
                }
                options.logLevel = level
            case "--data-dir":
                let path = try value()
                guard !path.isEmpty else { throw CommandLineError("--data-dir needs a path.") }
                dataDirectory = path
            case "--in-memory":
                try flagOnly()
                inMemory = true
            case "--postgres":
                postgres = try value()
            case "--outbox":
                let path = try value()
                guard !path.isEmpty else { throw CommandLineError("--outbox needs a path.") }
                options.outboxDirectory = path
            case "--durability":
                let text = try value()
                guard let durability = Durability(rawValue: text) else {
                    throw CommandLineError("--durability must be always, batched or none, not '\(text)'.")
                }
                options.durability = durability
            case "--stdio-user":
                let user = try value()
                guard !user.isEmpty else { throw CommandLineError("--stdio-user needs a user id.") }
                options.stdioUser = UserID(user)
            case "--sendmail":
                let command = try value()
                guard !command.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw CommandLineError("--sendmail needs a command.")
                }
                options.sendmailCommand = command
            case "--mail-from":
                let text = try value()
                guard let mailbox = Mailbox(parsing: text) else {
                    throw CommandLineError(
                        "--mail-from must be an address such as 'Taskwire <tasks@example.org>' or "
                            + "'tasks@example.org', not '\(text)'.")
                }
                options.mailFrom = mailbox
            case "--delivery-retry":
                options.deliveryRetry = try retrySchedule(try value())
            case "--rate-limit":
                if let problem = options.rateLimits.apply(try value()) { throw CommandLineError(problem) }
            default:
                throw CommandLineError("Unknown option '\(argument)'. Run taskwire --help for usage.")
            }
        }
        options.stdio = stdioRequested || options.socketPath == nil
        if let postgres {
            if dataDirectory != nil { throw CommandLineError("--data-dir and --postgres exclude each other.") }
            if inMemory { throw CommandLineError("--in-memory and --postgres exclude each other.") }
            if options.durability != .always {
                throw CommandLineError(
                    "--durability applies to a data directory; on --postgres every write is answered after its "
                        + "transaction commits (docs/postgres.md).")
            }
            options.postgres = postgres
            options.dataDirectory = nil
        } else if inMemory {
            if dataDirectory != nil { throw CommandLineError("--data-dir and --in-memory exclude each other.") }
            options.dataDirectory = nil
        } else if let dataDirectory {
            options.dataDirectory = dataDirectory
        } else {
            guard let resolved = defaultDataDirectory(environment: environment) else {
                throw CommandLineError(
                    "No data directory: set HOME or TASKWIRE_DATA_DIR, or pass --data-dir or --in-memory.")
            }
            options.dataDirectory = resolved
        }
        return .serve(options)
    }

    /// The longest `--remind-before-minutes`: a year.
    static let maxRemindBeforeMinutes = 525_600

    /// Whether a subcommand's words ask for its usage (`--help` or `-h` anywhere), which wins over every
    /// other word, as it does for serving.
    private static func asksForHelp(_ words: ArraySlice<String>) -> Bool {
        words.contains { $0 == "--help" || $0 == "-h" }
    }

    /// `$TASKWIRE_DATA_DIR`, else `$XDG_DATA_HOME/taskwire`, else `$HOME/.local/share/taskwire`.
    package static func defaultDataDirectory(environment: [String: String]) -> String? {
        if let explicit = environment["TASKWIRE_DATA_DIR"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return xdg + "/taskwire" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.local/share/taskwire" }
        return nil
    }

    /// `FIRST_SECONDS,MAX_SECONDS,ATTEMPTS`: a first delay and a cap in seconds (decimals allowed, the cap
    /// not below the first delay) and a positive number of attempts.
    static func retrySchedule(_ text: String) throws(CommandLineError) -> RetrySchedule {
        let problem = CommandLineError(
            "--delivery-retry must be FIRST_SECONDS,MAX_SECONDS,ATTEMPTS (e.g. 30,3600,10: seconds from 0 to "
                + "86400, the maximum not below the first, at least 1 attempt), not '\(text)'.")
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard parts.count == 3, let first = Double(parts[0]), let maximum = Double(parts[1]),
            let attempts = Int(parts[2]), first.isFinite, maximum.isFinite, first >= 0, first <= 86_400,
            maximum >= first, maximum <= 86_400, attempts >= 1, attempts <= 1000
        else { throw problem }
        return RetrySchedule(firstDelaySeconds: first, maximumDelaySeconds: maximum, maximumAttempts: attempts)
    }

    /// A positive byte count with an optional K, M or G suffix (powers of 1024).
    static func byteCount(_ text: String, flag: String) throws(CommandLineError) -> Int {
        var digits = Substring(text)
        var multiplier = 1
        if let last = digits.last?.uppercased() {
            switch last {
            case "K": multiplier = 1 << 10
            case "M": multiplier = 1 << 20
            case "G": multiplier = 1 << 30
            default: break
            }
            if multiplier > 1 { digits = digits.dropLast() }
        }
        guard let count = Int(digits), count > 0, count <= Int.max / multiplier else {
            throw CommandLineError("\(flag) must be a positive number of bytes (K, M, G allowed), not '\(text)'.")
        }
        return count * multiplier
    }
}
