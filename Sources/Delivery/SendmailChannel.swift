/// The `email` channel when the server is given `--sendmail "COMMAND"`: each message is handed to a
/// sendmail-compatible command, such as `/usr/sbin/sendmail -t -i`.
///
/// The command line runs through `/bin/sh -c` (so it may hold options, quotes and pipes) with the message on
/// its standard input, written with local LF line endings: that is what `sendmail`, Postfix, Exim, msmtp and
/// the like read there, and they turn it into CRLF on the wire themselves. Nothing is appended to the
/// command: it must take the recipient from the message's `To` header (`-t`), and should not end the input
/// at a line holding a lone dot (`-i`; the body never has one anyway). It also finds
/// `TASKWIRE_DELIVERY_ID`, `TASKWIRE_EVENT_TYPE` and `TASKWIRE_RECIPIENT` (the address) in its environment,
/// for a script that wants them. See ``ShellCommand`` for how the child is isolated from the server.
///
/// Outcomes: exit status 0 is ``DeliveryOutcome/delivered``. Status 65 (`EX_DATAERR`), 67 (`EX_NOUSER`) and
/// 68 (`EX_NOHOST`) say this message or its address will never go through: ``DeliveryOutcome/giveUp(reason:)``.
/// Every other failure is ``DeliveryOutcome/retry(reason:)``: 75 (`EX_TEMPFAIL`) by definition, death by a
/// signal (seen directly, or reported by the shell as status 128 + n), the ``timeout`` (the command's process group is then killed), a command that cannot be started,
/// and any other status, 1 included, because a sendmail that fails that way (a mail relay down, a
/// configuration being fixed) usually succeeds later and the retry schedule ends the attempts anyway.
/// Every reason carries the start of the command's standard error.
package struct SendmailChannel: DeliveryChannel {
    /// Exit statuses that mean the message can never be delivered as it is (`sysexits.h`).
    static let permanentStatuses: [Int32: String] = [65: "EX_DATAERR", 67: "EX_NOUSER", 68: "EX_NOHOST"]
    /// Exit statuses with a name worth showing in a reason.
    static let statusNames: [Int32: String] = [
        64: "EX_USAGE", 69: "EX_UNAVAILABLE", 70: "EX_SOFTWARE", 71: "EX_OSERR", 72: "EX_OSFILE",
        73: "EX_CANTCREAT", 74: "EX_IOERR", 75: "EX_TEMPFAIL", 76: "EX_PROTOCOL", 77: "EX_NOPERM",
        78: "EX_CONFIG", 126: "not executable", 127: "command not found",
    ]

    /// `email`, the channel a configuration names.
    package var name: String { "email" }
    /// The command line, as given to `--sendmail`.
    package let command: String
    /// The `From` of every message.
    package let sender: Mailbox
    /// How long one run of the command may take before it is killed and the delivery retried.
    package let timeout: Duration

    /// A channel running `command`; `timeout` bounds each run.
    package init(command: String, sender: Mailbox = .defaultSender, timeout: Duration = .seconds(60)) {
        self.command = command
        self.sender = sender
        self.timeout = timeout
    }

    /// Builds the message, runs the command once with it on a thread of its own, and judges the run.
    package func deliver(_ notification: OutgoingNotification) async -> DeliveryOutcome {
        let message: EmailMessage
        do {
            message = try EmailMessage(for: notification, sender: sender)
        } catch {
            return .giveUp(reason: error.reason)
        }
        let run = ShellCommand(
            command: command,
            environment: [
                "TASKWIRE_DELIVERY_ID": notification.deliveryID,
                "TASKWIRE_EVENT_TYPE": notification.eventType,
                "TASKWIRE_RECIPIENT": message.recipient.address,
            ],
            timeout: timeout)
        let input = message.bytes(lineEnding: .lf)
        let outcome = await onOwnThread { run.run(input: input) }
        return Self.outcome(of: outcome, timeout: timeout)
    }

    /// The delivery outcome of one run of the command.
    static func outcome(of run: ShellCommand.Outcome, timeout: Duration) -> DeliveryOutcome {
        let detail = errorExcerpt(run.standardError)
        switch run.termination {
        case .exited(0):
            return .delivered
        case .exited(let status):
            if let name = permanentStatuses[status] {
                return .giveUp(reason: "the sendmail command exited with status \(status) (\(name))\(detail)")
            }
            // A shell reports a command killed by signal n as status 128 + n.
            let signalName = status > 128 && status < 160 ? "killed by signal \(status - 128)" : nil
            let named = (statusNames[status] ?? signalName).map { " (\($0))" } ?? ""
            return .retry(reason: "the sendmail command exited with status \(status)\(named)\(detail)")
        case .signalled(let signal):
            return .retry(reason: "the sendmail command was killed by signal \(signal)\(detail)")
        case .timedOut:
            return .retry(reason: "the sendmail command did not finish within \(timeout) and was killed\(detail)")
        case .failed(let why):
            return .retry(reason: "the sendmail command could not be run: \(why)")
        }
    }

    /// `: ` and the first 300 characters of standard error on one line, or nothing when it is empty.
    private static func errorExcerpt(_ bytes: [UInt8]) -> String {
        let text = HeaderField.singleLine(String(decoding: bytes, as: UTF8.self))
        guard !text.isEmpty else { return "" }
        return ": " + (text.count > 300 ? String(text.prefix(299)) + "…" : text)
    }
}
