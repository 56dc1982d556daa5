import Foundation
import TaskEngine
import TaskStore
import TaskwireLog

/// `taskwire token create`: bootstraps a bearer token from the shell before any server runs.
///
/// Opens the data directory or database (taking its lock, so a running server makes it fail with exit 75),
/// creates the user when missing, issues the token, waits until it is durable, closes the store, and prints
/// the token alone on stdout. Everything else goes to stderr.
enum TokenCommand {
    static func run(_ options: TokenOptions) async -> ExitStatus {
        let logger = Logger(label: "taskwire", level: .warning)
        let opened: StoreBootstrap
        do {
            opened = try StoreBootstrap.open(options.location, logger: logger.labelled("store"))
        } catch {
            fail(error.message)
            return ExitStatus(rawValue: error.status) ?? .software
        }
        let store = opened.store
        let outcome = await issue(options, engine: opened.engine)
        await runBlocking { store.close() }
        switch outcome {
        case .success(let token):
            FileHandle.standardOutput.write(Data((token + "\n").utf8))
            return .success
        case .failure(let failure):
            fail(failure.message)
            return failure.status
        }
    }

    private struct Failure: Error {
        var message: String
        var status: ExitStatus
    }

    private static func issue(_ options: TokenOptions, engine: Engine) async -> Result<String, Failure> {
        do {
            if let existing = try? await engine.user(options.userID) {
                if let role = options.role, role != existing.role {
                    return .failure(
                        Failure(
                            message: "User \(options.userID) exists with role \(existing.role.rawValue), not "
                                + "\(role.rawValue); change roles with users.upsert.",
                            status: .usage))
                }
            } else {
                guard let role = options.role else {
                    return .failure(
                        Failure(
                            message: "User \(options.userID) does not exist; give --role to create it.",
                            status: .usage))
                }
                let input = UserInput(
                    userID: options.userID, name: options.name ?? options.userID.text, role: role.rawValue)
                try await engine.upsertUser(input, by: .system).ticket.wait()
            }
            let issued = try await engine.createToken(
                for: options.userID, label: options.label, expiresAt: options.expiresAt, by: .system)
            try await issued.ticket.wait()
            return .success(issued.value.token)
        } catch let error as EngineError {
            switch error {
            case .unavailable, .damaged:
                return .failure(Failure(message: error.message, status: .ioError))
            default:
                return .failure(Failure(message: error.message, status: .usage))
            }
        } catch {
            return .failure(Failure(message: "The token could not be made durable: \(error).", status: .ioError))
        }
    }

    private static func fail(_ message: String) {
        FileHandle.standardError.write(Data("taskwire: \(message)\n".utf8))
    }
}
