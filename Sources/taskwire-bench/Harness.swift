import Foundation
import JSON
import Locking
import TestSupport

/// A running taskwire with a stdio connection (the spawning process, acting as `system`) and a socket
/// that benchmark clients connect to.
final class Harness {
    let server: ServerProcess
    let stdio: WireConnection
    let socketPath: String
    private var token: String?

    /// Flags every benchmark server gets: quiet logs, and no per-user rate limits (when the server has them),
    /// since a benchmark client sends far more than a person would.
    static var commonArguments: [String] { common.withLock { $0 } }

    private static let common = Mutex(["--log-level", "error"])

    /// Adapts ``commonArguments`` to what the server binary supports, from its `--help`.
    static func configure(binary: String) async throws {
        let help = try await CommandResult.run(["--help"], executable: binary)
        if String(decoding: help.standardOutput, as: UTF8.self).contains("--rate-limit") {
            common.withLock { $0 += ["--rate-limit", "off"] }
        }
    }

    init(binary: String, storage: [String], workDirectory: String) throws {
        socketPath = workDirectory + "/taskwire-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        server = try ServerProcess(
            executable: binary,
            arguments: ["--stdio", "--socket", socketPath] + storage + Self.commonArguments,
            standardError: .inherit
        )
        stdio = server.stdioConnection()
        _ = try stdio.call(Request.ping(id: 0))
        token = try Self.makeToken(over: stdio)
    }

    /// A bearer token for socket clients, when this server version authenticates sockets.
    private static func makeToken(over connection: WireConnection) throws -> String? {
        let upsert =
            #"{"jsonrpc":"2.0","id":1,"method":"users.upsert","params":{"user_id":"bench","name":"Benchmark","role":"admin"}}"#
        try connection.send(Array((upsert + "\n").utf8))
        let reply = try JSONParser.parse(try connection.readLine())
        if reply["error"]?["code"]?.intValue == -32601 { return nil }
        let create = #"{"jsonrpc":"2.0","id":2,"method":"auth.tokens.create","params":{"user_id":"bench"}}"#
        return try connection.call(Array((create + "\n").utf8))["token"]?.stringValue
    }

    /// The `auth.login` request a socket connection sends first, when this server version authenticates.
    var loginLine: [UInt8]? {
        token.map { Array(#"{"jsonrpc":"2.0","id":0,"method":"auth.login","params":{"token":"\#($0)"}}"#.utf8) + [10] }
    }

    /// A new socket connection, logged in when the server wants that.
    func socketConnection() throws -> WireConnection {
        let connection = try WireConnection.unix(path: socketPath)
        if let loginLine { _ = try connection.call(loginLine) }
        return connection
    }

    func stop() {
        server.stop()
    }
}

/// Request bodies as bytes, built without an encoder so the client costs as little as possible.
enum Request {
    static func ping(id: Int) -> [UInt8] {
        Array("{\"jsonrpc\":\"2.0\",\"id\":\(id),\"method\":\"ping\"}\n".utf8)
    }

    static func call(id: Int, method: String, params: JSONValue) -> [UInt8] {
        var bytes = Array("{\"jsonrpc\":\"2.0\",\"id\":\(id),\"method\":\"\(method)\",\"params\":".utf8)
        JSONWriter.write(params, into: &bytes)
        bytes.append(contentsOf: "}\n".utf8)
        return bytes
    }
}
