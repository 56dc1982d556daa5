import Foundation
import TestSupport

/// Runs the real binary to completion (for the subcommands) and collects what it printed.
struct CommandResult {
    var status: Int32
    var standardOutput: [UInt8]
    var standardError: String

    /// Runs `taskwire ARGUMENTS`, feeding `input` to its stdin.
    static func run(_ arguments: [String], input: [UInt8] = []) throws -> CommandResult {
        let process = Process()
        process.executableURL = ServerProcess.binaryURL
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Read both streams on their own threads so a large export cannot fill a pipe and stall the child.
        let output = ThreadedReader(stdout.fileHandleForReading)
        let errors = ThreadedReader(stderr.fileHandleForReading)
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus,
            standardOutput: output.finish(),
            standardError: String(decoding: errors.finish(), as: UTF8.self)
        )
    }
}

/// Drains a file handle on a dedicated thread until EOF.
final class ThreadedReader: @unchecked Sendable {
    // `bytes` is written only by the reader thread and read only after `done` was signalled.
    private var bytes: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            bytes = [UInt8](handle.readDataToEndOfFile())
            done.signal()
        }
        thread.start()
    }

    func finish() -> [UInt8] {
        done.wait()
        return bytes
    }
}
