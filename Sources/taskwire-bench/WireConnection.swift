import Foundation
import Glibc
import JSON

/// A blocking NDJSON connection over a pair of file descriptors, as lean as a benchmark client can be.
///
/// One instance belongs to one thread; it is never shared.
final class WireConnection {
    private let readFD: Int32
    private let writeFD: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var start = 0
    private var end = 0

    init(readFD: Int32, writeFD: Int32) {
        self.readFD = readFD
        self.writeFD = writeFD
    }

    /// Connects to a Unix socket, retrying while the server is still starting (up to `timeout` seconds).
    static func unix(path: String, timeout: Double = 10) throws -> WireConnection {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
            let result = withUnixAddress(path) { connect(fd, $0, $1) }
            if result == 0 { return WireConnection(readFD: fd, writeFD: fd) }
            close(fd)
            if Date() > deadline { throw BenchError("could not connect to \(path)") }
            usleep(5_000)
        }
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(writeFD, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw BenchError("write: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Reads one newline-terminated message (without the newline).
    func readLine() throws -> ArraySlice<UInt8> {
        while true {
            if let newline = buffer[start..<end].firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[start..<newline]
                start = newline + 1
                return line
            }
            if start > 0 {
                buffer.replaceSubrange(0..<(end - start), with: buffer[start..<end])
                end -= start
                start = 0
            }
            if end == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let count = buffer[end...].withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw BenchError("read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { throw BenchError("the server closed the connection") }
            end += count
        }
    }

    /// Sends one request and returns its parsed reply, failing on an error reply.
    func call(_ request: [UInt8]) throws -> JSONValue {
        try send(request)
        let reply = try JSONParser.parse(try readLine())
        if let error = reply["error"] { throw BenchError("error reply: \(error)") }
        return reply["result"] ?? .null
    }

    func closeConnection() {
        close(readFD)
        if writeFD != readFD { close(writeFD) }
    }
}

/// A benchmark failure, printed and fatal for the run.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Calls `body` with a `sockaddr_un` for `path` (cut to fit `sun_path`), as `connect` and `bind` take it.
func withUnixAddress(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let pathBytes = Array(path.utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (index, byte) in pathBytes.enumerated() where index < raw.count - 1 { raw[index] = byte }
    }
    return withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
}
