import Foundation
import Glibc
import TestSupport

/// The floor every figure is compared with: a server that writes back whatever it reads, over the same
/// transport, with the same blocking-read design and nothing else.
enum EchoServer {
    /// Starts `taskwire-bench echo --socket` (this binary) on a socket in `workDirectory`: the floor a suite
    /// measures beside taskwire. Returns the process (stop it when done) and the socket's path.
    static func spawnSocket(workDirectory: String, name: String) throws -> (ServerProcess, path: String) {
        let path = workDirectory + "/\(name)-\(getpid()).sock"
        let process = try ServerProcess(
            executable: CommandLine.arguments[0], arguments: ["echo", "--socket", path], standardError: .inherit)
        return (process, path)
    }

    /// Echoes stdin to stdout until EOF.
    static func serveStdio() -> Never {
        echo(readFD: 0, writeFD: 1)
        exit(0)
    }

    /// Accepts connections on a Unix socket and echoes each on its own thread, until stdin closes.
    static func serveSocket(path: String) throws -> Never {
        unlink(path)
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let bound = withUnixAddress(path) { bind(listener, $0, $1) }
        guard bound == 0, listen(listener, 128) == 0 else { throw BenchError("echo: cannot listen on \(path)") }
        Thread.detachNewThread {
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { continue }
                Thread.detachNewThread { echo(readFD: client, writeFD: client) }
            }
        }
        var byte: UInt8 = 0
        while read(0, &byte, 1) > 0 {}
        unlink(path)
        exit(0)
    }

    private static func echo(readFD: Int32, writeFD: Int32) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            var offset = 0
            while offset < count {
                let written = buffer[offset..<count].withUnsafeBytes { write(writeFD, $0.baseAddress, $0.count) }
                if written <= 0 { return }
                offset += written
            }
        }
        close(readFD)
    }
}
