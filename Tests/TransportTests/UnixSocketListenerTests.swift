import Foundation
import JSONRPC
import TaskwireLog
import TestSupport
import Testing
import Transport

#if canImport(Glibc)
    import Glibc
#endif

struct UnixSocketListenerTests {
    let logger = Logger(label: "test", level: .error) { _ in }

    /// Leaves a socket file behind the way a crashed server does: bound, then closed without unlinking.
    func makeStaleSocket(at path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        close(fd)
        guard bound == 0 else { throw TestSupportError("bind failed") }
    }

    func mode(of path: String) -> mode_t? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return status.st_mode & 0o777
    }

    @Test func socketFileIsPrivateAndRemovedOnStop() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("s.sock")
        let listener = try UnixSocketListener(path: path, logger: logger)
        listener.start { close($0) }
        #expect(mode(of: path) == 0o600)
        await listener.stop()
        #expect(mode(of: path) == nil)
    }

    @Test func staleSocketIsReplaced() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("s.sock")
        try makeStaleSocket(at: path)
        let listener = try UnixSocketListener(path: path, logger: logger)
        let accepted = FrameInbox()
        listener.start { fd in
            accepted.push([])
            close(fd)
        }
        let client = try RPCTestClient.connect(toSocket: path, framing: .ndjson)
        _ = try await accepted.next(timeout: .seconds(10), what: "the accepted connection")
        client.disconnect()
        await listener.stop()
    }

    @Test func liveSocketIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("s.sock")
        let first = try UnixSocketListener(path: path, logger: logger)
        first.start { close($0) }
        #expect {
            _ = try UnixSocketListener(path: path, logger: logger)
        } throws: { error in
            (error as? TransportError)?.message.contains("already listening") == true
        }
        // The refused attempt must not have taken the live server's file away.
        #expect(mode(of: path) == 0o600)
        await first.stop()
    }

    @Test func pathTooLongIsAClearError() throws {
        let path = "/tmp/" + String(repeating: "x", count: 120)
        #expect {
            _ = try UnixSocketListener(path: path, logger: logger)
        } throws: { error in
            (error as? TransportError)?.message.contains("at most 107") == true
        }
    }

    @Test func regularFileInTheWayIsNotDeleted() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("data.txt")
        #expect(FileManager.default.createFile(atPath: path, contents: Data("keep".utf8)))
        #expect(throws: TransportError.self) { _ = try UnixSocketListener(path: path, logger: logger) }
        #expect(FileManager.default.contents(atPath: path) == Data("keep".utf8))
    }
}
