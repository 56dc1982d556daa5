import Foundation
import Glibc
import JSON
import Locking
import TestSupport
import Testing

@testable import Delivery

/// The sendmail channel against stand-in commands: shell scripts in a temporary directory that record what
/// they were given.
@Suite struct SendmailChannelTests {
    let sender = Samples.sender

    /// Writes an executable script `name` whose body is `body`; `$dir` in it is the script's directory.
    ///
    /// A child process writes it, never this one: a file this process held open for writing could be
    /// inherited, for a moment, by a command another test spawns at the same time, and running the script
    /// then fails with ETXTBSY ("Text file busy").
    func script(_ body: String, named name: String = "sendmail", in directory: TemporaryDirectory) throws -> String {
        let path = directory.appending(name)
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", "cat > \"$0\" && chmod 755 \"$0\"", path]
        let input = Pipe()
        writer.standardInput = input
        try writer.run()
        input.fileHandleForWriting.write(Data("#!/bin/sh\ndir=$(dirname \"$0\")\n\(body)\n".utf8))
        try input.fileHandleForWriting.close()
        writer.waitUntilExit()
        guard writer.terminationStatus == 0 else { throw TestSupportError("could not write the script \(path)") }
        return path
    }

    func text(_ name: String, in directory: TemporaryDirectory) throws -> String {
        String(decoding: try directory.read(name), as: UTF8.self)
    }

    @Test func theMessageGoesToStandardInputWithLocalLineEndings() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try script(
            """
            printf '%s\\n' "$@" > "$dir/argv"
            env | grep -E '^TASKWIRE_(DELIVERY_ID|EVENT_TYPE|RECIPIENT)=' | sort > "$dir/env"
            cat > "$dir/stdin"
            """, in: directory)
        let channel = SendmailChannel(command: "'\(path)' -t -i", sender: sender, timeout: .seconds(30))
        let notification = Samples.notification()
        #expect(await channel.deliver(notification) == .delivered)
        #expect(try text("argv", in: directory) == "-t\n-i\n")
        #expect(
            try text("env", in: directory)
                == "TASKWIRE_DELIVERY_ID=dlv_00000000000000070001\nTASKWIRE_EVENT_TYPE=task_assigned\n"
                + "TASKWIRE_RECIPIENT=bob@example.com\n")
        let received = try directory.read("stdin")
        let expected = try EmailMessage(for: notification, sender: sender).bytes(lineEnding: .lf)
        #expect(received == expected)
        #expect(!received.contains(0x0D))
        let reader = try MessageReader(received, lineEnding: "\n")
        #expect(try reader.value("To") == "Bob Jones <bob@example.com>")
        #expect(try reader.decoded("Subject") == "Jane Smith assigned you \"Fix login bug\" (tsk_038HMF6T94000)")
    }

    @Test func theCommandInheritsNoDescriptorButItsPipes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("marker", [1])
        // An inheritable descriptor, as a server holds many (sockets, journal files).
        let marker = open(directory.appending("marker"), O_RDONLY)
        #expect(marker >= 0)
        defer { close(marker) }
        #expect(fcntl(marker, F_GETFD) & FD_CLOEXEC == 0)
        let path = try script(
            """
            for fd in /proc/$$/fd/*; do printf '%s %s\\n' "${fd##*/}" "$(readlink "$fd")"; done > "$dir/fds"
            cat > /dev/null
            """, in: directory)
        let channel = SendmailChannel(command: path, sender: sender, timeout: .seconds(30))
        #expect(await channel.deliver(Samples.notification()) == .delivered)
        let descriptors = try text("fds", in: directory).split(separator: "\n")
        #expect(!descriptors.contains { $0.hasSuffix(directory.appending("marker")) }, "\(descriptors)")
        for standard in ["0 pipe:", "2 pipe:"] {
            #expect(descriptors.contains { $0.hasPrefix(standard) }, "\(descriptors)")
        }
    }

    @Test func aTemporaryFailureIsRetried() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try script("cat > /dev/null\necho 'mail relay busy' >&2\nexit 75", in: directory)
        let outcome = await SendmailChannel(command: path, sender: sender).deliver(Samples.notification())
        #expect(
            outcome == .retry(reason: "the sendmail command exited with status 75 (EX_TEMPFAIL): mail relay busy"))
    }

    @Test func statusOneIsRetriedAndAnUnknownUserGivenUp() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let failing = try script("cat > /dev/null\nexit 1", named: "fails", in: directory)
        #expect(
            await SendmailChannel(command: failing, sender: sender).deliver(Samples.notification())
                == .retry(reason: "the sendmail command exited with status 1"))
        let noUser = try script("echo 'bob: user unknown' >&2\nexit 67", named: "nouser", in: directory)
        #expect(
            await SendmailChannel(command: noUser, sender: sender).deliver(Samples.notification())
                == .giveUp(reason: "the sendmail command exited with status 67 (EX_NOUSER): bob: user unknown"))
        #expect(
            await SendmailChannel(command: directory.appending("missing") + " -t", sender: sender)
                .deliver(Samples.notification()).isRetry)
    }

    @Test func deathBySignalIsRetried() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try script("kill -KILL $$", in: directory)
        // Run by the shell, which reports the death as status 128 + 9; run in its place, seen directly.
        let throughShell = await SendmailChannel(command: "'\(path)'; exit $?", sender: sender)
            .deliver(Samples.notification())
        // The shell may add its own word ("Killed") on stderr.
        guard case .retry(let reason) = throughShell else {
            Issue.record("not retried: \(throughShell)")
            return
        }
        #expect(reason.hasPrefix("the sendmail command exited with status 137 (killed by signal 9)"), "\(reason)")
        #expect(
            await SendmailChannel(command: "exec '\(path)'", sender: sender).deliver(Samples.notification())
                == .retry(reason: "the sendmail command was killed by signal 9"))
    }

    @Test func aHangingCommandIsKilledWithWhatItStartedAndRetried() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try script(
            """
            sleep 600 &
            echo $! > "$dir/grandchild"
            echo $$ > "$dir/pid"
            wait
            """, in: directory)
        // `exec`: the script is the shell's process itself, the child the channel waits for.
        let outcome = await SendmailChannel(command: "exec '\(path)'", sender: sender, timeout: .seconds(2))
            .deliver(Samples.notification())
        #expect(outcome == .retry(reason: "the sendmail command did not finish within 2.0 seconds and was killed"))
        let pid = try #require(Int32(try text("pid", in: directory).trimmingCharacters(in: .whitespacesAndNewlines)))
        // The command itself was waited for: its pid no longer exists.
        #expect(kill(pid, 0) == -1 && errno == ESRCH)
        // The process it started was killed with it: gone, a zombie, or SIGKILL pending.
        let grandchild = try #require(
            Int32(try text("grandchild", in: directory).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(Self.isDeadOrDying(grandchild))
    }

    @Test func aCommandThatIgnoresALargeInputOrFloodsItsOutputStillCompletes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let big = Samples.notification(
            type: "comment_added", comment: ["text": .string(String(repeating: "lorem ipsum ", count: 40_000))])
        #expect(await SendmailChannel(command: "exit 0", sender: sender).deliver(big) == .delivered)
        let flood = "head -c 3000000 /dev/zero; head -c 3000000 /dev/zero >&2; cat > /dev/null"
        #expect(await SendmailChannel(command: flood, sender: sender).deliver(big) == .delivered)
        let path = try script("cat > \"$dir/stdin\"", in: directory)
        #expect(await SendmailChannel(command: path, sender: sender).deliver(big) == .delivered)
        #expect(try directory.read("stdin") == EmailMessage(for: big, sender: sender).bytes(lineEnding: .lf))
    }

    @Test func runningCommandsLeaveTheConcurrencyPoolFree() async throws {
        // Far more runs than the pool has threads (one per core), each held by its command until the timeout.
        // Each command announces itself through a FIFO: all of them must be running at once, and work on the
        // pool must still run meanwhile. A channel that waited on a pool thread would start two at a time.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fifo = directory.appending("started")
        #expect(mkfifo(fifo, 0o600) == 0)
        // Read and write: the FIFO never reports EOF between two writers, and the test can unblock its reader.
        let reader = open(fifo, O_RDWR | O_CLOEXEC)
        #expect(reader >= 0)
        defer { close(reader) }
        let runs = 8
        let finished = Atomic<Bool>(false)
        let channel = SendmailChannel(
            command: "echo started > '\(fifo)'; exec sleep 600", sender: sender, timeout: .seconds(30))
        async let outcomes: [DeliveryOutcome] = withTaskGroup(of: DeliveryOutcome.self) { group in
            for _ in 0..<runs { group.addTask { await channel.deliver(Samples.notification()) } }
            let all = await group.reduce(into: []) { $0.append($1) }
            finished.store(true, ordering: .sequentiallyConsistent)
            return all
        }
        // Generous bounds: a loaded machine (the whole suite runs in parallel) starts eight shells slowly.
        let allRunning = await Self.lines(runs, from: reader, within: .seconds(25))
        #expect(allRunning, "the commands did not all run at the same time")
        var total = 0
        for value in 0..<64 { total += await Task.detached { value }.value }
        #expect(total == 2016)
        let commandsDone = finished.load(ordering: .sequentiallyConsistent)
        #expect(!commandsDone, "pool work waited for the commands")
        #expect(await outcomes.allSatisfy(\.isRetry))
        // Let the reading thread end if it is still waiting.
        _ = writeFully(reader, Array(repeating: UInt8(ascii: "\n"), count: runs))
    }

    /// Whether `count` lines arrive on `descriptor` within `timeout`, read on a thread of its own.
    static func lines(_ count: Int, from descriptor: Int32, within timeout: Duration) async -> Bool {
        let once = Mutex<CheckedContinuation<Bool, Never>?>(nil)
        return await withCheckedContinuation { continuation in
            once.withLock { $0 = continuation }
            let thread = Thread {
                var seen = 0
                var byte: UInt8 = 0
                while seen < count, read(descriptor, &byte, 1) == 1 {
                    if byte == UInt8(ascii: "\n") { seen += 1 }
                }
                once.withLock { $0.take() }?.resume(returning: seen == count)
            }
            thread.start()
            DispatchQueue.global().asyncAfter(deadline: .now() + Double(timeout.components.seconds)) {
                once.withLock { $0.take() }?.resume(returning: false)
            }
        }
    }

    @Test func noAddressIsGivenUpWithoutRunningTheCommand() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try script("touch \"$dir/ran\"", in: directory)
        let nobody = OutgoingNotification.Person(id: "user1", name: "No Mail")
        let outcome = await SendmailChannel(command: path, sender: sender).deliver(
            Samples.notification(recipient: nobody))
        #expect(outcome == .giveUp(reason: "user \"user1\" has no email address in the directory"))
        #expect(try directory.names() == ["sendmail"])
    }

    @Test func shellCommandReportsStatusAndOutput() {
        let run = ShellCommand(command: "cat; echo done >&2; exit 3", timeout: .seconds(30)).run(
            input: Array("hi".utf8))
        #expect(run.termination == .exited(3))
        #expect(run.standardOutput == Array("hi".utf8))
        #expect(run.standardError == Array("done\n".utf8))
        let bounded = ShellCommand(command: "head -c 100000 /dev/zero", timeout: .seconds(30), outputLimit: 1000)
            .run(input: [])
        #expect(bounded.termination == .exited(0))
        #expect(bounded.standardOutput.count == 1000)
    }

    /// Whether `pid` has exited, is a zombie, or has a SIGKILL pending (sent, not yet acted on).
    static func isDeadOrDying(_ pid: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return true }
        var state = ""
        var pending: UInt64 = 0
        for line in status.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            guard parts.count == 2 else { continue }
            if parts[0] == "State:" { state = String(parts[1]) }
            if parts[0] == "ShdPnd:" || parts[0] == "SigPnd:" { pending |= UInt64(parts[1], radix: 16) ?? 0 }
        }
        return state.hasPrefix("Z") || state.hasPrefix("X") || pending & (1 << (UInt64(SIGKILL) - 1)) != 0
    }
}

extension DeliveryOutcome {
    var isRetry: Bool {
        if case .retry = self { return true }
        return false
    }
}
