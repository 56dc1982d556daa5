import Foundation
import Glibc

/// A server (taskwire, or this benchmark's own echo floor) running as a child process.
final class ServerProcess {
    let process: Process
    let stdinPipe = Pipe()
    let stdoutPipe = Pipe()

    init(executable: String, arguments: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = FileHandle.standardError
        try process.run()
    }

    /// A connection over the child's stdin and stdout.
    func stdioConnection() -> WireConnection {
        WireConnection(
            readFD: stdoutPipe.fileHandleForReading.fileDescriptor,
            writeFD: stdinPipe.fileHandleForWriting.fileDescriptor
        )
    }

    var pid: Int32 { process.processIdentifier }

    /// Resident memory of the child in bytes, from /proc.
    func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let digits = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return digits * 1024
        }
        return 0
    }

    /// Closes stdin (the server's signal to finish) and waits for the exit.
    func stop() {
        try? stdinPipe.fileHandleForWriting.close()
        if process.isRunning { kill(pid, SIGTERM) }
        process.waitUntilExit()
    }
}
