package import Foundation

/// Throwaway PostgreSQL databases for the tests of the PostgreSQL backend.
///
/// `scripts/test` starts a PostgreSQL server of its own (`scripts/postgres-scratch start`) and names its
/// socket directory in `TASKWIRE_TEST_POSTGRES_HOST`; without it, the suites that need a database are
/// disabled. Each test makes a database of its own, so tests running in parallel never share data or locks.
package enum PostgresScratch {
    /// The socket directory of the test server, when one runs.
    package static var host: String? {
        guard let host = ProcessInfo.processInfo.environment["TASKWIRE_TEST_POSTGRES_HOST"], !host.isEmpty else {
            return nil
        }
        return host
    }

    /// The role the test server was made with (`initdb -U`).
    package static let user = "taskwire"

    /// Creates an empty database and returns its libpq connection string.
    package static func createDatabase() async throws -> String {
        guard let host else { throw ScratchError(message: "no test PostgreSQL (TASKWIRE_TEST_POSTGRES_HOST)") }
        let name = "tw_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await psql(host: host, database: "postgres", "CREATE DATABASE \(name)")
        return "host=\(host) user=\(user) dbname=\(name)"
    }

    /// Runs one SQL command through `psql` on `database` (the tests' way to break or inspect a database).
    @discardableResult
    package static func psql(host: String? = nil, database: String, _ sql: String) async throws -> String {
        guard let host = host ?? Self.host else { throw ScratchError(message: "no test PostgreSQL") }
        let result = try await CommandResult.run(
            ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", host, "-U", user, "-d", database, "-c", sql],
            executable: "/usr/bin/psql")
        guard result.status == 0 else {
            throw ScratchError(message: "psql \(sql): status \(result.status): \(result.standardError)")
        }
        return String(decoding: result.standardOutput, as: UTF8.self)
    }

    /// The `dbname` of a connection string made by ``createDatabase()``.
    package static func databaseName(_ conninfo: String) -> String {
        conninfo.split(separator: " ").first { $0.hasPrefix("dbname=") }.map { String($0.dropFirst(7)) } ?? ""
    }

    /// A failed set-up step.
    package struct ScratchError: Error, CustomStringConvertible {
        package var message: String
        package var description: String { message }
        package init(message: String) { self.message = message }
    }
}
