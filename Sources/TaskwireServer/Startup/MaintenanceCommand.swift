import Foundation
import JSON
import TaskEngine
import TaskStore
import TaskwireLog

/// The subcommands that work on a data directory while no server runs on it: `export`, `import`, `check`.
package enum MaintenanceCommand: Sendable, Equatable {
    /// Writes everything in the data directory as one JSON document on stdout.
    case export(dataDirectory: String)
    /// Fills an empty data directory from an export document (a file path, or `-` for stdin).
    case importDocument(file: String, dataDirectory: String)
    /// Verifies a data directory without changing it.
    case check(dataDirectory: String)

    /// The usage lines for `--help`.
    static let usage = """
        Maintenance (no server may run on the data directory for export and import):
          taskwire export [--data-dir DIR]        Print everything as one JSON document on stdout.
          taskwire import FILE [--data-dir DIR]   Load an export (FILE, or - for stdin) into an empty directory.
          taskwire check [--data-dir DIR]         Verify snapshots, journal and records; change nothing.
                                                  Exit 0 when healthy, 65 when damaged.
        """

    /// Parses the words after `export`, `import` or `check`.
    static func parse(
        _ name: String, _ arguments: ArraySlice<String>, environment: [String: String]
    ) throws(CommandLineError) -> MaintenanceCommand {
        var cursor = ArgumentCursor(arguments)
        var dataDirectory: String?
        var file: String?
        while let word = cursor.next() {
            if word.name == "--data-dir" {
                let value = try cursor.value(of: word)
                guard !value.isEmpty else { throw CommandLineError("--data-dir needs a path.") }
                dataDirectory = value
            } else if name == "import", file == nil, word.argument == "-" || !word.argument.hasPrefix("-") {
                file = word.argument
            } else {
                throw CommandLineError("Unknown argument '\(word.argument)' for taskwire \(name).")
            }
        }
        guard let directory = dataDirectory ?? CommandLineOptions.defaultDataDirectory(environment: environment) else {
            throw CommandLineError("No data directory: set HOME or TASKWIRE_DATA_DIR, or pass --data-dir.")
        }
        switch name {
        case "export": return .export(dataDirectory: directory)
        case "check": return .check(dataDirectory: directory)
        default:
            guard let file else { throw CommandLineError("taskwire import needs a FILE (or - for stdin).") }
            return .importDocument(file: file, dataDirectory: directory)
        }
    }

    /// Runs the command; returns the process exit status.
    func run(logger: Logger) async -> Int32 {
        do {
            switch self {
            case .export(let directory): try await export(directory: directory, logger: logger)
            case .importDocument(let file, let directory):
                try await importDocument(file: file, directory: directory, logger: logger)
            case .check(let directory): return await check(directory: directory)
            }
            return ExitStatus.success.rawValue
        } catch {
            standardError("taskwire: \(error.message)\n")
            return error.status
        }
    }

    private func export(directory: String, logger: Logger) async throws(StoreBootstrap.Failure) {
        guard FileManager.default.fileExists(atPath: directory) else {
            throw StoreBootstrap.Failure(message: "The data directory \(directory) does not exist.", status: 66)
        }
        let opened = try StoreBootstrap.open(dataDirectory: directory, durability: .always, logger: logger)
        defer { opened.store.close() }
        let document: JSONValue
        do {
            document = try await opened.engine.exportArchive()
        } catch {
            throw StoreBootstrap.Failure(message: "Cannot read the attachments: \(error).", status: 74)
        }
        var bytes = JSONWriter.bytes(document)
        bytes.append(UInt8(ascii: "\n"))
        FileHandle.standardOutput.write(Data(bytes))
    }

    private func importDocument(file: String, directory: String, logger: Logger) async throws(StoreBootstrap.Failure) {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw StoreBootstrap.Failure(message: "Cannot read \(file).", status: 66)
            }
            data = contents
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse([UInt8](data))
        } catch {
            throw StoreBootstrap.Failure(message: "\(file) is not JSON: \(error).", status: 65)
        }
        let opened = try StoreBootstrap.importing(document, into: directory, logger: logger)
        let count = await opened.engine.taskCount
        opened.store.close()
        standardError("taskwire: imported \(count) tasks into \(directory)\n")
    }

    private func check(directory: String) async -> Int32 {
        let report: CheckReport
        do {
            report = try FileStore.check(directory: directory)
        } catch {
            standardError("taskwire: cannot check \(directory): \(error.description)\n")
            return error.code == .damaged ? StoreError.Code.damaged.exitCode : 66
        }
        var lines = [report.description]
        var healthy = report.isHealthy
        if healthy {
            // The files are sound; now prove the engine understands every record.
            do {
                let recovered = try FileStore.readOnlyRecovery(directory: directory)
                let engine = try Engine.open(store: MemoryStore(recovered: recovered), snapshotThreshold: Int.max)
                let (tasks, lastSeq) = (await engine.taskCount, await engine.lastSeq)
                lines.append("  records: every record replays; \(tasks) tasks, last seq \(lastSeq)")
            } catch {
                healthy = false
                lines.append("  damage: the records cannot be replayed: \(error)")
            }
        }
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        return healthy ? ExitStatus.success.rawValue : StoreError.Code.damaged.exitCode
    }

    private func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
