import Foundation
import TestSupport

// taskwire-bench: starts the real server and measures it. Results are printed as Markdown tables, ready
// for docs/benchmarks.md together with the command line that produced them.

signal(SIGPIPE, SIG_IGN)
let arguments = Array(CommandLine.arguments.dropFirst())
do {
    if arguments.first == "echo" {
        if arguments.count == 3, arguments[1] == "--socket" { try EchoServer.serveSocket(path: arguments[2]) }
        EchoServer.serveStdio()
    }
    var options = try BenchOptions(arguments: arguments)
    let work = try TemporaryDirectory()
    defer { work.remove() }
    options.workDirectory = work.path
    guard FileManager.default.isExecutableFile(atPath: options.serverBinary) else {
        throw BenchError("no taskwire binary at \(options.serverBinary); build it or pass --server PATH")
    }
    try await Harness.configure(binary: options.serverBinary)
    emit("# taskwire-bench\n")
    emit(
        "`taskwire-bench \(arguments.joined(separator: " "))` on \(ProcessInfo.processInfo.activeProcessorCount) cores\n"
    )
    if options.suites.contains("transport") { try TransportSuite(options: options).run() }
    if options.suites.contains("anchors") { try AnchorSuite(options: options).run() }
    if options.suites.contains("writes") { try WriteSuite(options: options).run() }
    if options.suites.contains("reads") { try ReadSuite(options: options).run() }
    if options.suites.contains("restart") { try RestartSuite(options: options).run() }
    if options.suites.contains("workflows") { try WorkflowSuite(options: options).run() }
    if options.suites.contains("events") { try EventSuite(options: options).run() }
    if options.suites.contains("analytics") { try AnalyticsSuite(options: options).run() }
    if options.suites.contains("connections") { try ConnectionSuite(options: options).run() }
    if let postgres = options.postgres { try PostgresSuite(options: options, conninfo: postgres).run() }
} catch {
    FileHandle.standardError.write(Data("taskwire-bench: \(error)\n".utf8))
    exit(1)
}
