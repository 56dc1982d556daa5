import Foundation
import JSON
import PostgresStore
import TaskEngine
import TaskStore
import TaskwireLog

/// The subcommands that work on the stored data while no server runs on it: `export`, `import`, `check`,
/// and `migrate` for a PostgreSQL database.
package enum MaintenanceCommand: Sendable, Equatable {
    /// Writes everything in the data directory or database as one JSON document on stdout.
    case export(StoreLocation)
    /// Fills an empty data directory or database from an export document (a file path, or `-` for stdin).
    case importDocument(file: String, into: StoreLocation)
    /// Verifies a data directory without changing it.
    case check(dataDirectory: String)
    /// Verifies a PostgreSQL database without changing it.
    case checkDatabase(postgres: String)
    /// Creates or upgrades taskwire's tables in a PostgreSQL database.
    case migrate(postgres: String)

    /// The exit statuses of `taskwire check`.
    ///
    /// A damaged-but-recoverable directory gets 1, apart from the `sysexits.h` codes (64 and up) that say the
    /// command or a start failed: the check itself worked and a server would start, as `diff` and `grep`
    /// answer 1 for "found something". It is still non-zero, so `taskwire check && ...` stops to let someone
    /// look; 65 keeps meaning what it means for a start: refused.
    package enum CheckStatus {
        /// Every file verifies (a torn last record, truncated on the next start, included).
        package static let healthy: Int32 = 0
        /// A start repairs something (a torn last record, a damaged snapshot it rebuilds or skips, a temporary
        /// file) and loses nothing answered.
        package static let recoverable: Int32 = 1
        /// Damaged: a start refuses (exit 65) because nothing on disk can rebuild the data.
        package static let damaged: Int32 = 65
        /// The data directory does not exist (`EX_NOINPUT`).
        package static let missing: Int32 = 66
        /// The data directory cannot be read (`EX_IOERR`).
        package static let unreadable: Int32 = 74
    }

    /// The summary of the maintenance commands for `taskwire --help`.
    static let usage = """
        Maintenance (no server may run on the data directory or database for export and import):
          taskwire export [--data-dir DIR | --postgres URL]       Print everything as one JSON document.
          taskwire import FILE [--data-dir DIR | --postgres URL]  Load an export (FILE, or - for stdin) into
                                                                  an empty directory or database.
          taskwire check [--data-dir DIR | --postgres URL]        Verify snapshots, journal and records;
                                                                  change nothing.
          taskwire migrate --postgres URL                         Create or upgrade taskwire's tables in a
                                                                  PostgreSQL database.

        Exit status of the subcommands (`taskwire COMMAND --help` explains each):
          token create  0 issued; 64 bad command line, or a user/role mismatch; 65 damaged data; 74 I/O error or
                        the token could not be made durable; 75 another taskwire holds the data directory.
          export        0 exported; 64 bad command line; 65 damaged data; 66 no such data directory; 74 I/O
                        error; 75 another taskwire holds the data directory.
          import        0 imported; 64 bad command line; 65 FILE is not JSON or not an export, or damaged data;
                        66 FILE cannot be read; 74 the directory is not empty, or an I/O error; 75 another
                        taskwire holds the data directory.
          migrate       0 the schema is current; 64 bad command line; 65 a newer taskwire made the schema;
                        74 the database cannot be reached or refused a statement.
          check         0 healthy; 1 recoverable (a start repairs it and loses nothing answered); 64 bad
                        command line; 65 damaged, fatal (a start refuses); 66 no such data directory;
                        74 the directory or database cannot be read.

        """

    /// The data-directory option, as every maintenance command documents it.
    private static let dataDirectoryOption = """
          --data-dir DIR   The data directory. Default: $TASKWIRE_DATA_DIR, else $XDG_DATA_HOME/taskwire,
                           else $HOME/.local/share/taskwire.
          --help           Print this help and exit.
        """

    /// The PostgreSQL option of export and import.
    private static let postgresOption = """
          --postgres URL   A PostgreSQL database instead of a data directory: a postgresql:// URL or libpq
                           keywords ("host=/run/postgresql dbname=tasks"); "" uses the PG* variables.
                           Needs a build with the PostgreSQL backend (docs/postgres.md).
        """

    /// `taskwire migrate --help`.
    static let migrateUsage = """
        Usage: taskwire migrate --postgres URL

        Creates taskwire's tables in a PostgreSQL database, or upgrades them to this release's schema, in one
        transaction under an advisory lock: running it twice, or from two hosts at once, is safe. A server
        refuses a database whose schema is not current (docs/postgres.md).

        Options:
        \(postgresOption)
          --help           Print this help and exit.

        Exit status: 0 the schema is current; 64 bad command line; 65 a newer taskwire made the schema;
        74 the database cannot be reached or refused a statement.

        """

    /// `taskwire export --help`.
    static let exportUsage = """
        Usage: taskwire export [--data-dir DIR | --postgres URL]

        Prints everything in the data directory (tasks, history, users, tokens, attachments, idempotency keys,
        counters) as one JSON document on stdout. It takes the directory's lock like a server: stop the server
        first, or back up the files instead (docs/storage.md). On a database (--postgres) it runs beside the
        servers, reading one consistent state of everything they committed (docs/postgres.md).

        Options:
        \(dataDirectoryOption)
        \(postgresOption)

        Exit status: 0 exported; 64 bad command line; 65 the stored data is damaged (run taskwire check);
        66 the data directory does not exist; 74 an I/O error reading the directory or an attachment;
        75 another taskwire holds the data directory.

        """

    /// `taskwire import --help`.
    static let importUsage = """
        Usage: taskwire import FILE [--data-dir DIR | --postgres URL]

        Loads an export document (FILE, or - for stdin) into an empty data directory and writes it, durably,
        as the directory's first snapshot before exiting. The directory is created when missing.

        Options:
        \(dataDirectoryOption)
        \(postgresOption)

        Exit status: 0 imported; 64 bad command line; 65 FILE is not JSON or not an export document, or the
        directory holds damaged data; 66 FILE cannot be read; 74 the directory is not empty, or an I/O error;
        75 another taskwire holds the data directory.

        """

    /// `taskwire check --help`.
    static let checkUsage = """
        Usage: taskwire check [--data-dir DIR | --postgres URL]

        Verifies every snapshot and journal record of a data directory, then replays them into a throwaway
        engine to prove every record is understood. It changes nothing and takes no lock, so it may run beside
        a server (whose newest writes may then show as a torn tail).

        With --postgres it reads the database as a start would, in one read-only transaction (so beside a
        live server it sees one consistent state): the snapshot rows, the journal rows after the snapshot it
        uses, each against its checksum and the numbering, then replays them the same way.

        Options:
        \(dataDirectoryOption)
        \(postgresOption)

        The report lists every snapshot and journal segment, then what is wrong, in which file and at which
        byte offset or record, and what to do.

        Exit status:
          0   healthy: every file verifies and a start changes nothing.
          1   recoverable: a start repairs something and loses nothing answered. It cuts off an incomplete
              last record (a write a crash interrupted, never answered), rebuilds a damaged snapshot from an
              older one and the journal (or skips one it does not need), or deletes a temporary file an
              interrupted snapshot left. A damaged snapshot also means the directory lost its fallback and
              the disk may be failing: copy the directory somewhere safe and check the disk.
          64  bad command line.
          65  damaged, fatal: a start refuses (exit 65), because data is damaged or missing and nothing on
              disk can stand in for it: a missing journal segment (journal.manifest names the newest), a gap
              in the record numbers, a damaged record followed by valid ones, or a damaged snapshot the
              journal cannot rebuild. Keep a copy of the directory as it is, then put back the missing file
              or restore the directory from a backup.
          66  the data directory does not exist.
          74  the data directory cannot be read; the database cannot be reached or is not migrated.
        On a database, 1 means the newest snapshot fails its check and a start falls back to the previous
        one, and 65 a missing or corrupt journal row, no snapshot that checks out, or rows the engine
        cannot replay.
        1 is apart from the sysexits codes (64 and up), which mean that a command or a start failed: here the
        check worked and a server would start, but someone should look.

        """

    /// The usage text of one maintenance command, for `taskwire NAME --help`.
    static func usage(of name: String) -> String {
        switch name {
        case "export": exportUsage
        case "import": importUsage
        case "migrate": migrateUsage
        default: checkUsage
        }
    }

    /// Parses the words after `export`, `import` or `check`.
    static func parse(
        _ name: String, _ arguments: ArraySlice<String>, environment: [String: String]
    ) throws(CommandLineError) -> MaintenanceCommand {
        var cursor = ArgumentCursor(arguments)
        var dataDirectory: String?
        var postgres: String?
        var file: String?
        while let word = cursor.next() {
            if word.name == "--data-dir", name != "migrate" {
                let value = try cursor.value(of: word)
                guard !value.isEmpty else { throw CommandLineError("--data-dir needs a path.") }
                dataDirectory = value
            } else if word.name == "--postgres" {
                postgres = try cursor.value(of: word)
            } else if name == "import", file == nil, word.argument == "-" || !word.argument.hasPrefix("-") {
                file = word.argument
            } else {
                throw CommandLineError("Unknown argument '\(word.argument)' for taskwire \(name).")
            }
        }
        if name == "migrate" {
            guard let postgres else { throw CommandLineError("taskwire migrate needs --postgres URL.") }
            return .migrate(postgres: postgres)
        }
        if postgres != nil, dataDirectory != nil {
            throw CommandLineError("--data-dir and --postgres exclude each other.")
        }
        let location: StoreLocation
        if let postgres {
            location = .postgres(postgres)
        } else if let directory = dataDirectory ?? CommandLineOptions.defaultDataDirectory(environment: environment) {
            location = .directory(directory)
        } else {
            throw CommandLineError("No data directory: set HOME or TASKWIRE_DATA_DIR, or pass --data-dir.")
        }
        switch (name, location) {
        case ("export", _): return .export(location)
        case ("check", .directory(let directory)): return .check(dataDirectory: directory)
        case ("check", .postgres(let conninfo)): return .checkDatabase(postgres: conninfo)
        default:
            guard let file else { throw CommandLineError("taskwire import needs a FILE (or - for stdin).") }
            return .importDocument(file: file, into: location)
        }
    }

    /// Runs the command; returns the process exit status.
    func run(logger: Logger) async -> Int32 {
        do {
            switch self {
            case .export(let location): try await export(location, logger: logger)
            case .importDocument(let file, let location):
                try await importDocument(file: file, into: location, logger: logger)
            case .check(let directory): return await check(directory: directory)
            case .checkDatabase(let conninfo): return await checkDatabase(conninfo: conninfo)
            case .migrate(let conninfo): try migrate(conninfo: conninfo)
            }
            return ExitStatus.success.rawValue
        } catch {
            standardError("taskwire: \(error.message)\n")
            return error.status
        }
    }

    private func export(_ location: StoreLocation, logger: Logger) async throws(StoreBootstrap.Failure) {
        if case .directory(let directory) = location, !FileManager.default.fileExists(atPath: directory) {
            throw StoreBootstrap.Failure(message: "The data directory \(directory) does not exist.", status: 66)
        }
        // On a database, beside running servers: it reads one consistent state, as a read node does.
        let opened = try StoreBootstrap.open(location, follows: true, logger: logger)
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

    private func importDocument(
        file: String, into location: StoreLocation, logger: Logger
    ) async throws(StoreBootstrap.Failure) {
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
        let opened = try StoreBootstrap.importing(document, into: location, logger: logger)
        let count = await opened.engine.taskCount
        opened.store.close()
        standardError("taskwire: imported \(count) tasks into \(location.description)\n")
    }

    private func migrate(conninfo: String) throws(StoreBootstrap.Failure) {
        let versions: (from: Int, to: Int)
        do { versions = try PostgresBackend.migrate(conninfo: conninfo) } catch {
            let status: Int32 = error.description.contains("newer than this build") ? 65 : 74
            throw StoreBootstrap.Failure(message: "\(error.description).", status: status)
        }
        standardError(
            versions.from == versions.to
                ? "taskwire: the schema is current (version \(versions.to))\n"
                : "taskwire: migrated the schema from version \(versions.from) to \(versions.to)\n")
    }

    private func check(directory: String) async -> Int32 {
        let report: CheckReport
        do {
            report = try FileStore.check(directory: directory)
        } catch {
            standardError("taskwire: cannot check \(directory): \(error.description)\n")
            if error.code == .damaged { return CheckStatus.damaged }
            return FileManager.default.fileExists(atPath: directory) ? CheckStatus.unreadable : CheckStatus.missing
        }
        var lines = [report.description]
        var status: Int32
        switch report.status {
        case .healthy: status = CheckStatus.healthy
        case .recoverable: status = CheckStatus.recoverable
        case .damaged: status = CheckStatus.damaged
        }
        if status != CheckStatus.damaged {
            // The files are sound (or a start can rebuild them); now prove the engine understands every record.
            do {
                let recovered = try FileStore.readOnlyRecovery(directory: directory)
                let engine = try Engine.open(store: MemoryStore(recovered: recovered), snapshotThreshold: Int.max)
                let (tasks, lastSeq) = (await engine.taskCount, await engine.lastSeq)
                lines.append("  records: every record replays; \(tasks) tasks, last seq \(lastSeq)")
            } catch {
                status = CheckStatus.damaged
                let files = lines.joined(separator: "\n").split(separator: "\n").dropFirst().map(String.init)
                    .filter { !$0.hasPrefix("  repair:") && !$0.hasPrefix("  what to do:") }
                let start =
                    report.snapshotLastRecord == 0 && !report.snapshots.contains(where: \.valid)
                    ? "the empty start" : "snapshot-\(hex16(report.snapshotLastRecord)).snap"
                lines = ["Data directory \(directory): DAMAGED, fatal (a start refuses)"] + files
                lines.append(
                    "  problem: every file verifies, but its contents do not fit together, so a start would refuse "
                        + "(\(error)). A file was most likely removed or replaced by one from another directory: a "
                        + "snapshot (a directory made by `taskwire import` keeps everything before its journal in "
                        + "snapshot-0000000000000000.snap), or a journal segment.")
                lines.append(
                    "  where: the journal records after record \(report.snapshotLastRecord), replayed from \(start)"
                        + (report.segments.first.map { " starting in \($0.name)" } ?? ""))
                lines.append(
                    "  what to do: taskwire will not start on this directory (exit 65). Keep a copy of it as it is, "
                        + "then put back the missing file or restore the directory from a backup.")
            }
        }
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        return status
    }

    private func checkDatabase(conninfo: String) async -> Int32 {
        let found: PostgresCheck
        do {
            found = try PostgresBackend.check(conninfo: conninfo)
        } catch {
            let verdict = error.code == .damaged ? "DAMAGED, fatal (a start refuses)" : "cannot be checked"
            FileHandle.standardOutput.write(
                Data("PostgreSQL database: \(verdict)\n  problem: \(error.description)\n".utf8))
            return error.code == .damaged ? CheckStatus.damaged : CheckStatus.unreadable
        }
        var lines: [String] = []
        let snapshots = found.snapshotCovers.enumerated().map { index, covers in
            "up to record \(covers)" + (index == 0 ? " (used)" : " (the fallback)")
        }
        lines.append("  snapshots: " + (snapshots.isEmpty ? "none" : snapshots.joined(separator: ", ")))
        lines.append(
            "  journal: "
                + (found.journalRows.map { "rows \($0.lowerBound) to \($0.upperBound), each verified" }
                    ?? "no rows after the snapshot"))
        lines += found.recovered.warnings.map { "  repair: \($0)" }
        do {
            let engine = try Engine.open(store: MemoryStore(recovered: found.recovered), snapshotThreshold: Int.max)
            let (tasks, lastSeq) = (await engine.taskCount, await engine.lastSeq)
            lines.append("  records: every record replays; \(tasks) tasks, last seq \(lastSeq)")
        } catch {
            lines = ["PostgreSQL database: DAMAGED, fatal (a start refuses)"] + lines
            lines.append("  problem: every row verifies, but the engine cannot replay them (\(error))")
            lines.append("  what to do: restore the database from a backup")
            FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            return CheckStatus.damaged
        }
        let recoverable = !found.recovered.warnings.isEmpty
        lines.insert(
            "PostgreSQL database: "
                + (recoverable ? "recoverable (a start falls back to an older snapshot)" : "healthy"),
            at: 0)
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        return recoverable ? CheckStatus.recoverable : CheckStatus.healthy
    }

    private func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }

    private func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
