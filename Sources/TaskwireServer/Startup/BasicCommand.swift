import Foundation
import JSON
import JSONRPC
import TaskEngine
import TaskStore
import TaskwireLog

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `taskwire basic FILE`: runs a BASIC script through `basic.run`, in-process on a data directory or on a
/// running server over its socket, and prints the script's `TALK` lines on stdout.
///
/// In-process, the script goes through the same method table, dispatcher and gate as a server's stdio
/// connection acting as `--user`, so every rule applies; the reply waits for the writes to be durable, and
/// the store is closed before the process exits.
enum BasicCommand {
    /// The exit statuses (`sysexits.h`).
    enum Status {
        static let success: Int32 = 0
        static let usage: Int32 = 64
        static let dataError: Int32 = 65
        static let noInput: Int32 = 66
        static let unavailable: Int32 = 69
        static let software: Int32 = 70
        static let ioError: Int32 = 74
        static let noPermission: Int32 = 77
    }

    static func run(_ options: BasicOptions) async -> Int32 {
        let name = options.file == "-" ? "<stdin>" : options.file
        let source: String
        if options.file == "-" {
            source = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else {
            guard let data = FileManager.default.contents(atPath: options.file) else {
                fail("cannot read \(options.file).")
                return Status.noInput
            }
            source = String(decoding: data, as: UTF8.self)
        }
        var params: JSONObject = ["source": .string(source)]
        if !options.variables.isEmpty {
            params.append("variables", .object(JSONObject(options.variables.map { (key: $0.name, value: $0.value) })))
        }
        let outcome: Result<JSONValue, ResponseError>
        if let socketPath = options.socketPath {
            let token = options.token ?? ""
            let request = JSONValue.object(params)
            switch await runBlocking({ remote(socketPath: socketPath, token: token, params: request) }) {
            case .success(let result): outcome = result
            case .failure(let failure):
                fail(failure.message)
                return failure.status
            }
        } else {
            switch await local(options, params: .object(params)) {
            case .success(let result): outcome = result
            case .failure(let failure):
                fail(failure.message)
                return failure.status
            }
        }
        switch outcome {
        case .success(let result):
            let lines = result["talk"]?.arrayValue?.compactMap(\.stringValue) ?? []
            FileHandle.standardOutput.write(Data(lines.map { $0 + "\n" }.joined().utf8))
            return Status.success
        case .failure(let error):
            return report(error, file: name)
        }
    }

    /// Prints a failed `basic.run` the way compilers do (`FILE:LINE:COLUMN: message`) and picks the status.
    private static func report(_ error: ResponseError, file: String) -> Int32 {
        if let line = error.data?["line"]?.intValue, let column = error.data?["column"]?.intValue {
            let said = error.data?["talk"]?.arrayValue?.compactMap(\.stringValue) ?? []
            FileHandle.standardOutput.write(Data(said.map { $0 + "\n" }.joined().utf8))
            let prefix = "line \(line), column \(column): "
            let message =
                error.message.hasPrefix(prefix) ? String(error.message.dropFirst(prefix.count)) : error.message
            FileHandle.standardError.write(Data("\(file):\(line):\(column): \(message)\n".utf8))
            return Status.dataError
        }
        fail(error.message)
        switch error.code {
        case ErrorCode.tooLarge.rawValue: return Status.dataError
        case ErrorCode.invalidParams.rawValue: return Status.usage
        case ErrorCode.unauthorized.rawValue, ErrorCode.permissionDenied.rawValue, ErrorCode.rateLimited.rawValue:
            return Status.noPermission
        case ErrorCode.unavailable.rawValue: return Status.ioError
        default: return Status.software
        }
    }

    private struct Failure: Error {
        var message: String
        var status: Int32
    }

    /// Opens the data directory or database, runs the script through the real method table as `--user`, closes the store.
    private static func local(
        _ options: BasicOptions, params: JSONValue
    ) async -> Result<Result<JSONValue, ResponseError>, Failure> {
        let logger = Logger(label: "taskwire", level: .warning)
        let opened: StoreBootstrap
        do {
            let location = options.postgres.map(StoreLocation.postgres) ?? .directory(options.dataDirectory ?? "")
            let result = await runBlocking { () -> Result<StoreBootstrap, StoreBootstrap.Failure> in
                Result { () throws(StoreBootstrap.Failure) in
                    try StoreBootstrap.open(location, logger: logger.labelled("store"))
                }
            }
            opened = try result.get()
        } catch {
            return .failure(Failure(message: error.message, status: error.status))
        }
        let store = opened.store
        let outcome = await run(options, params: params, engine: opened.engine, logger: logger)
        // Closing fsyncs and releases the directory lock: off the concurrency pool.
        await runBlocking { store.close() }
        return outcome
    }

    private static func run(
        _ options: BasicOptions, params: JSONValue, engine: Engine, logger: Logger
    ) async -> Result<Result<JSONValue, ResponseError>, Failure> {
        guard await engine.userExists(options.user) else {
            return .failure(Failure(message: "--user \(options.user) does not exist.", status: Status.usage))
        }
        let invoker = MethodInvoker()
        let methods: MethodTable
        do {
            methods = try MethodTable.product(
                info: ServerInfo(
                    transports: [], dataDirectory: options.dataDirectory,
                    storage: options.postgres != nil ? "postgresql" : nil, durability: "always"),
                engine: engine, invoker: invoker)
        } catch {
            return .failure(Failure(message: error.message, status: Status.software))
        }
        let dispatcher = Dispatcher(
            methods: methods, logger: logger, gate: AuthGate(engine: engine, rateLimits: .standard))
        invoker.bind(dispatcher)
        let context = RequestContext(
            connectionID: 1, identity: ConnectionIdentity(.init(user: options.user, via: "stdio")))
        switch await dispatcher.call("basic.run", params: params, context: context) {
        case .success(let result, let ticket):
            do {
                try await ticket?.wait()
            } catch {
                return .failure(
                    Failure(message: "the script's writes could not be made durable: \(error)", status: Status.ioError))
            }
            return .success(.success(result))
        case .failure(let error):
            return .success(.failure(error))
        }
    }

    /// Connects to a server's socket, logs in, calls `basic.run` and returns its answer. Blocking.
    private static func remote(
        socketPath: String, token: String, params: JSONValue
    ) -> Result<Result<JSONValue, ResponseError>, Failure> {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .failure(Failure(message: "cannot create a socket.", status: Status.unavailable)) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            return .failure(Failure(message: "the socket path \(socketPath) is too long.", status: Status.usage))
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            return .failure(Failure(message: "cannot connect to \(socketPath): \(reason).", status: Status.unavailable))
        }
        var connection = LineConnection(fd: fd)
        let login: JSONValue = ["jsonrpc": "2.0", "id": 1, "method": "auth.login", "params": ["token": .string(token)]]
        let call: JSONValue = ["jsonrpc": "2.0", "id": 2, "method": "basic.run", "params": params]
        for request in [login, call] {
            guard connection.send(request) else {
                return .failure(Failure(message: "the server at \(socketPath) went away.", status: Status.unavailable))
            }
            guard let reply = connection.reply(to: request["id"] ?? .null) else {
                return .failure(Failure(message: "the server at \(socketPath) went away.", status: Status.unavailable))
            }
            if let error = reply["error"] {
                let failure = ResponseError(
                    code: error["code"]?.intValue ?? ErrorCode.internalError.rawValue,
                    message: error["message"]?.stringValue ?? "The server refused the call.", data: error["data"])
                return .success(.failure(failure))
            }
            if request["id"] == 2 { return .success(.success(reply["result"] ?? .null)) }
        }
        return .failure(Failure(message: "no reply from \(socketPath).", status: Status.unavailable))
    }

    private static func fail(_ message: String) {
        FileHandle.standardError.write(Data("taskwire: \(message)\n".utf8))
    }
}

/// One NDJSON connection over a blocking file descriptor, for the socket client of `taskwire basic`.
private struct LineConnection {
    let fd: Int32
    var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    func send(_ message: JSONValue) -> Bool {
        let bytes = JSONWriter.bytes(message) + [UInt8(ascii: "\n")]
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// The next response whose id is `id`, skipping notifications; `nil` when the connection ends.
    mutating func reply(to id: JSONValue) -> JSONValue? {
        while true {
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if let message = try? JSONParser.parse(line), message["id"] == id { return message }
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return nil }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}
