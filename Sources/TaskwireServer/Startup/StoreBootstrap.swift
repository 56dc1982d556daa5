import JSON
import PostgresStore
import TaskEngine
import TaskStore
import TaskwireLog

/// Opens the store and the engine on it for a server or a subcommand, and turns every way that can fail
/// into a message and an exit status.
struct StoreBootstrap {
    /// Why the store or engine could not be opened: a sentence for stderr and the process exit status.
    struct Failure: Error {
        var message: String
        var status: Int32
    }

    let store: any Store
    let engine: Engine

    /// Opens a data directory or a database for a subcommand (`export`, `token create`): durably, with the
    /// engine's default limits. With `follows`, a database that a server writes opens as a read node (for a
    /// subcommand that only reads) instead of being refused.
    static func open(_ location: StoreLocation, follows: Bool = false, logger: Logger) throws(Failure) -> StoreBootstrap
    {
        switch location {
        case .directory(let directory): try open(dataDirectory: directory, durability: .always, logger: logger)
        case .postgres(let conninfo):
            try open(dataDirectory: nil, postgres: conninfo, follows: follows, durability: .always, logger: logger)
        }
    }

    /// Opens `dataDirectory` (or the PostgreSQL database `postgres` names, or memory when both are `nil`),
    /// recovers, and replays the journal into a new engine.
    ///
    /// - Parameters:
    ///   - postgres: a libpq connection string (`--postgres`); it wins over `dataDirectory`.
    ///   - maxAttachmentBytes: the largest attachment the engine accepts (`--max-attachment-bytes`).
    ///   - reminderLeadSeconds: how long before a due date `task_due_soon` fires (`--remind-before-minutes`);
    ///     `nil` turns reminders off.
    ///   - onStoreFailure: called once if a write or fsync fails later; the server then stops.
    ///   - follows: whether a database another server writes opens as a read node (a server) or is refused
    ///     (a subcommand).
    static func open(
        dataDirectory: String?,
        postgres: String? = nil,
        follows: Bool = false,
        durability: Durability,
        logger: Logger,
        maxAttachmentBytes: Int = CollaborationLimits.defaultAttachmentBytes,
        reminderLeadSeconds: Int64? = Engine.standardReminderLeadSeconds,
        onStoreFailure: (@Sendable (StoreError) -> Void)? = nil
    ) throws(Failure) -> StoreBootstrap {
        let store: any Store
        if let postgres {
            var options = PostgresStoreOptions()
            options.onFailure = onStoreFailure
            options.whenServed = follows ? .follow : .refuse
            options.onWarning = { warning in logger.warning(warning, ["store": "postgres"]) }
            options.onInfo = { message, fields in logger.info(message, fields) }
            do {
                store = try PostgresBackend.open(conninfo: postgres, options: options)
            } catch {
                throw Failure(message: postgresMessage(error), status: error.code.exitCode)
            }
        } else if let dataDirectory {
            var options = FileStore.Options()
            options.durability = FileStore.Durability(rawValue: durability.rawValue) ?? .always
            options.onFailure = onStoreFailure
            options.onWarning = { warning in logger.warning(warning, ["data_dir": dataDirectory]) }
            options.onInfo = { message, fields in logger.info(message, fields) }
            do {
                store = try FileStore.open(directory: dataDirectory, options: options)
            } catch {
                throw Failure(message: storeMessage(error, dataDirectory: dataDirectory), status: error.code.exitCode)
            }
        } else {
            store = MemoryStore(keepsRecords: false)
        }
        do {
            let engine = try Engine.open(
                store: store, maxAttachmentBytes: maxAttachmentBytes, reminderLeadSeconds: reminderLeadSeconds)
            let location = postgres != nil ? "postgres" : dataDirectory ?? "memory"
            for warning in engine.recoveryWarnings { logger.warning(warning, ["data_dir": location]) }
            return StoreBootstrap(store: store, engine: engine)
        } catch {
            store.close()
            throw Failure(message: engineMessage(error), status: engineStatus(error))
        }
    }

    /// Opens an empty data directory or database and fills it from an export document.
    static func importing(
        _ document: JSONValue,
        into location: StoreLocation,
        logger: Logger
    ) throws(Failure) -> StoreBootstrap {
        let store: any Store
        switch location {
        case .directory(let dataDirectory):
            do {
                store = try FileStore.open(directory: dataDirectory)
            } catch {
                throw Failure(message: storeMessage(error, dataDirectory: dataDirectory), status: error.code.exitCode)
            }
        case .postgres(let conninfo):
            do {
                store = try PostgresBackend.open(conninfo: conninfo, options: PostgresStoreOptions())
            } catch {
                throw Failure(message: postgresMessage(error), status: error.code.exitCode)
            }
        }
        do {
            let engine = try Engine.importDocument(document, into: store)
            return StoreBootstrap(store: store, engine: engine)
        } catch {
            store.close()
            throw Failure(message: engineMessage(error), status: engineStatus(error))
        }
    }

    private static func storeMessage(_ error: StoreError, dataDirectory: String) -> String {
        switch error.code {
        case .locked:
            error.description
        case .damaged:
            "The data in \(dataDirectory) is damaged and taskwire will not start on it: \(error.description). "
                + "Run `taskwire check --data-dir \(dataDirectory)` for details."
        default:
            "Cannot open the data directory \(dataDirectory): \(error.description)."
        }
    }

    private static func postgresMessage(_ error: StoreError) -> String {
        switch error.code {
        case .locked, .damaged: "\(error.description)."
        default: "Cannot open the PostgreSQL database: \(error.description)."
        }
    }

    private static func engineMessage(_ error: EngineError) -> String {
        switch error {
        case .damaged(let detail): "The stored data cannot be read: \(detail)."
        case .unavailable(let storeError): "\(storeError.description)."
        default: "Cannot start the engine: \(error)."
        }
    }

    private static func engineStatus(_ error: EngineError) -> Int32 {
        switch error {
        case .unavailable(let storeError): storeError.code.exitCode
        default: StoreError.Code.damaged.exitCode
        }
    }
}

/// Where a maintenance command finds the data: a data directory or a PostgreSQL database.
package enum StoreLocation: Sendable, Equatable {
    /// A data directory (`--data-dir`, or the default one).
    case directory(String)
    /// A PostgreSQL database, by libpq connection string (`--postgres`).
    case postgres(String)

    /// How messages name it.
    var description: String {
        switch self {
        case .directory(let path): path
        case .postgres: "the PostgreSQL database"
        }
    }
}
