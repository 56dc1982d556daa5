/// What a command run to completion printed and how it exited (the subcommands, `--help`).
package struct CommandResult: Sendable {
    /// The exit status (128 + n when killed by signal n).
    package var status: Int32
    /// Everything it wrote to stdout, as bytes.
    package var standardOutput: [UInt8]
    /// Everything it wrote to stderr.
    package var standardError: String

    /// Runs `taskwire ARGUMENTS` (or `executable`) through ``ServerProcess``, feeding `input` to its stdin
    /// and closing it, and waits for its exit; every wait has `timeout`.
    package static func run(
        _ arguments: [String], input: [UInt8] = [], executable: String? = nil,
        environment: [String: String]? = nil, timeout: Duration = .seconds(60)
    ) async throws -> CommandResult {
        let process = try ServerProcess(
            executable: executable, arguments: arguments, output: .bytes, environment: environment)
        defer { process.kill() }
        process.client.sendRaw(input)
        process.client.closeWriting()
        // Read while it runs, so a large export cannot fill the pipe and stall the child.
        let output = try await process.client.readToEnd(timeout: timeout)
        let status = try await process.waitForExit(timeout: timeout)
        return CommandResult(status: status, standardOutput: output, standardError: process.standardError)
    }
}
