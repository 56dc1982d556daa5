#if Postgres
    import CLibPQ
    import Glibc
    import TaskStore

    /// One libpq connection, used by one thread at a time (libpq connections are not thread-safe): each owner
    /// keeps it on a thread of its own or behind a lock, which is what makes it safe to send.
    ///
    /// Every call blocks: run it on a thread of the store's own, never on the concurrency pool. Parameters go
    /// over the wire in text form, except byte strings, which go in binary; results come back in binary, so a
    /// `bytea` column arrives as its bytes and an integer as its big-endian value.
    final class PostgresConnection: @unchecked Sendable {
        /// What libpq was given: a URL, a keyword string, or empty for the `PG*` environment variables.
        let conninfo: String
        private var handle: OpaquePointer?
        /// The statements prepared on this session (a new session starts with none).
        private var prepared: Set<String> = []

        /// Connects, or throws ``PostgresError`` with libpq's reason.
        init(conninfo: String) throws(PostgresError) {
            self.conninfo = conninfo
            try connect()
        }

        deinit {
            if let handle { PQfinish(handle) }
        }

        /// Whether libpq still considers the connection usable.
        var isHealthy: Bool {
            guard let handle else { return false }
            return PQstatus(handle) == CONNECTION_OK
        }

        /// Drops the connection (if any) and opens a new one.
        func reconnect() throws(PostgresError) {
            close()
            try connect()
        }

        /// Drops the connection; later calls fail until ``reconnect()``.
        func close() {
            if let handle { PQfinish(handle) }
            handle = nil
            prepared.removeAll()
        }

        private func connect() throws(PostgresError) {
            guard let connection = PQconnectdb(conninfo) else {
                throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
            }
            guard PQstatus(connection) == CONNECTION_OK else {
                let message = Self.text(PQerrorMessage(connection))
                PQfinish(connection)
                throw PostgresError(kind: .connection, message: message)
            }
            // Notices ("relation already exists, skipping") are not errors; keep them off stderr.
            PQsetNoticeProcessor(connection, { _, _ in }, nil)
            handle = connection
        }

        /// Runs one statement with `parameters` ($1, $2, ...) and returns its rows.
        @discardableResult
        func execute(_ sql: String, _ parameters: [PostgresValue] = []) throws(PostgresError) -> PostgresRows {
            guard let handle else { throw PostgresError(kind: .connection, message: "not connected") }
            return try run(parameters, on: handle) { pointers, lengths, formats in
                PQexecParams(handle, sql, Int32(parameters.count), nil, pointers, lengths, formats, 1)
            }
        }

        /// Runs the statement prepared as `name` (preparing `sql` under that name first, once per session), so
        /// the server parses and plans it once: for the statements a store runs over and over.
        @discardableResult
        func execute(
            prepared name: String, _ sql: String, _ parameters: [PostgresValue]
        ) throws(PostgresError) -> PostgresRows {
            guard let handle else { throw PostgresError(kind: .connection, message: "not connected") }
            if !prepared.contains(name) {
                PQclear(try check(PQprepare(handle, name, sql, Int32(parameters.count), nil), on: handle))
                prepared.insert(name)
            }
            return try run(parameters, on: handle) { pointers, lengths, formats in
                PQexecPrepared(handle, name, Int32(parameters.count), pointers, lengths, formats, 1)
            }
        }

        /// Passes `parameters` to `send` as libpq wants them: text parameters as NUL-terminated copies, byte
        /// strings with their length, in binary; results are asked for in binary.
        private func run(
            _ parameters: [PostgresValue], on handle: OpaquePointer,
            _ send: ([UnsafePointer<CChar>?], [Int32], [Int32]) -> OpaquePointer?
        ) throws(PostgresError) -> PostgresRows {
            let buffers: [[UInt8]] = parameters.map { value in
                switch value {
                case .null: []
                case .text(let text): Array(text.utf8) + [0]
                case .integer(let number): Array(String(number).utf8) + [0]
                case .bytes(let bytes): bytes
                }
            }
            let lengths: [Int32] = parameters.indices.map { Int32(clamping: buffers[$0].count) }
            let formats: [Int32] = parameters.map { if case .bytes = $0 { 1 } else { 0 } }
            let result = withPointers(to: buffers, parameters) { pointers in send(pointers, lengths, formats) }
            return PostgresRows(try check(result, on: handle))
        }

        /// The result when the statement succeeded; else it is freed and the failure thrown.
        private func check(_ result: OpaquePointer?, on handle: OpaquePointer) throws(PostgresError) -> OpaquePointer {
            guard let result else {
                throw PostgresError(kind: .connection, message: Self.text(PQerrorMessage(handle)))
            }
            let status = PQresultStatus(result)
            guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
                let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
                let message = Self.text(PQresultErrorMessage(result))
                PQclear(result)
                let lost = PQstatus(handle) != CONNECTION_OK
                throw PostgresError(kind: lost ? .connection : .statement, message: message, sqlState: sqlState)
            }
            return result
        }

        /// Runs `body` inside `BEGIN` ... `COMMIT`; a thrown error rolls back (when the connection still works).
        func transaction<T>(_ body: () throws(PostgresError) -> T) throws(PostgresError) -> T {
            try execute("BEGIN")
            do {
                let value = try body()
                try execute("COMMIT")
                return value
            } catch {
                if isHealthy { _ = try? execute("ROLLBACK") }
                throw error
            }
        }

        /// What ended a wait for a notification.
        enum Wake {
            /// A notification arrived (every one waiting was consumed: they are wake-ups, their payloads unused).
            case notified
            /// The interrupt descriptor became readable.
            case interrupted
            /// Neither came in time.
            case timedOut
        }

        /// Waits until a notification arrives on a channel this session `LISTEN`s on, `interrupt` becomes
        /// readable, or `timeoutMilliseconds` pass.
        func awaitNotification(interrupt: Int32, timeoutMilliseconds: Int32) throws(PostgresError) -> Wake {
            guard let handle else { throw PostgresError(kind: .connection, message: "not connected") }
            if Self.drainNotifications(handle) { return .notified }
            let socket = PQsocket(handle)
            guard socket >= 0 else { throw PostgresError(kind: .connection, message: "the connection has no socket") }
            var descriptors = [
                pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
                pollfd(fd: interrupt, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 2, timeoutMilliseconds)
            guard ready > 0 else { return .timedOut }
            if descriptors[0].revents != 0 {
                guard PQconsumeInput(handle) == 1 else {
                    throw PostgresError(kind: .connection, message: Self.text(PQerrorMessage(handle)))
                }
                if Self.drainNotifications(handle) { return .notified }
            }
            return descriptors[1].revents != 0 ? .interrupted : .timedOut
        }

        /// Frees every notification libpq holds; returns whether there was one.
        private static func drainNotifications(_ handle: OpaquePointer) -> Bool {
            var any = false
            while let notification = PQnotifies(handle) {
                any = true
                PQfreemem(notification)
            }
            return any
        }

        /// Copies every parameter into one allocation that stays put while libpq reads it.
        private func withPointers<R>(
            to buffers: [[UInt8]], _ parameters: [PostgresValue],
            _ body: ([UnsafePointer<CChar>?]) -> R
        ) -> R {
            let total = buffers.reduce(0) { $0 + $1.count }
            let storage = UnsafeMutableRawPointer.allocate(byteCount: max(1, total), alignment: 1)
            defer { storage.deallocate() }
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(buffers.count)
            var offset = 0
            for (index, buffer) in buffers.enumerated() {
                if case .null = parameters[index] {
                    pointers.append(nil)
                    continue
                }
                buffer.withUnsafeBytes { bytes in
                    if let base = bytes.baseAddress {
                        (storage + offset).copyMemory(from: base, byteCount: bytes.count)
                    }
                }
                pointers.append(UnsafePointer((storage + offset).assumingMemoryBound(to: CChar.self)))
                offset += buffer.count
            }
            return body(pointers)
        }

        private static func text(_ message: UnsafePointer<CChar>?) -> String {
            guard let message else { return "unknown error" }
            var text = String(cString: message)
            while text.last == "\n" || text.last == " " { text.removeLast() }
            return text.isEmpty ? "unknown error" : text
        }
    }

    /// A statement parameter.
    enum PostgresValue {
        case null
        case text(String)
        case integer(Int64)
        /// A `bytea` value, sent in binary.
        case bytes([UInt8])
    }

    /// The rows of one result, in binary form; freed when the value goes away.
    final class PostgresRows {
        private let result: OpaquePointer

        init(_ result: OpaquePointer) { self.result = result }

        deinit { PQclear(result) }

        /// The number of rows.
        var count: Int { Int(PQntuples(result)) }

        /// Whether there are no rows.
        var isEmpty: Bool { count == 0 }

        /// Whether the value at (`row`, `column`) is SQL NULL.
        func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(result, Int32(row), Int32(column)) == 1 }

        /// The raw binary value at (`row`, `column`) (a `bytea`'s bytes, a `text`'s UTF-8).
        func bytes(_ row: Int, _ column: Int) -> [UInt8] {
            let length = Int(PQgetlength(result, Int32(row), Int32(column)))
            guard length > 0, let value = PQgetvalue(result, Int32(row), Int32(column)) else { return [] }
            return Array(UnsafeRawBufferPointer(start: value, count: length))
        }

        /// The integer at (`row`, `column`): a binary `int2`, `int4` or `int8`, big-endian; nil for NULL.
        func integer(_ row: Int, _ column: Int) -> Int64? {
            if isNull(row, column) { return nil }
            let raw = bytes(row, column)
            guard [2, 4, 8].contains(raw.count) else { return nil }
            var value: Int64 = raw[0] & 0x80 != 0 ? -1 : 0
            for byte in raw { value = (value << 8) | Int64(byte) }
            return value
        }

        /// The text at (`row`, `column`), or nil for NULL.
        func text(_ row: Int, _ column: Int) -> String? {
            if isNull(row, column) { return nil }
            return String(decoding: bytes(row, column), as: UTF8.self)
        }
    }

    /// A failed libpq call: the connection could not be made or was lost, or a statement failed.
    struct PostgresError: Error, CustomStringConvertible {
        enum Kind {
            /// No usable connection: the server is down, restarting, or the connection dropped.
            case connection
            /// The server refused the statement (its SQLSTATE says why).
            case statement
        }

        var kind: Kind
        var message: String
        /// The five-character SQLSTATE of a refused statement ("23505" is a unique violation).
        var sqlState: String?

        init(kind: Kind, message: String, sqlState: String? = nil) {
            self.kind = kind
            self.message = message
            self.sqlState = sqlState
        }

        var description: String {
            if let sqlState { "\(message) (SQLSTATE \(sqlState))" } else { message }
        }

        /// Whether trying again later may succeed: a lost connection, a serialization failure or deadlock,
        /// a server shutting down or out of resources (a full disk is SQLSTATE class 53).
        var isTransient: Bool {
            if kind == .connection { return true }
            guard let sqlState else { return false }
            return sqlState == "40001" || sqlState == "40P01" || sqlState.hasPrefix("53") || sqlState.hasPrefix("57P")
                || sqlState.hasPrefix("08")
        }

        /// The same failure as a store error of `code`, prefixed with what was being done.
        func storeError(_ code: StoreError.Code, doing action: String) -> StoreError {
            StoreError(code: code, message: "PostgreSQL: \(action) failed", cause: description)
        }
    }
#endif
