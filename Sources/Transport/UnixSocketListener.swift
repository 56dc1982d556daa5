import Foundation
import Locking
package import TaskwireLog

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A listening Unix domain socket with its accept loop on a dedicated thread.
///
/// The socket file is created with mode 0600 (the umask is narrowed around `bind`, so there is no moment
/// when it is reachable by others). A leftover file from a server that died is replaced; a file a live
/// server still answers on is refused. The file is removed by ``stop()`` if it is still the one this
/// listener created.
package final class UnixSocketListener: Sendable {
    /// The longest path `sun_path` can hold, in bytes, without its terminating NUL.
    package static let maxPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// The socket file's path.
    package let path: String
    private let listenFD: Int32
    private let identity: (device: UInt64, inode: UInt64)
    private let logger: Logger
    private let stopped = Mutex(false)
    private let acceptLoopDone = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let finished = Atomic(false)

    /// Binds and listens on `path`; throws a clear error for a path that is too long, a live server already
    /// listening there, or a file in the way that is not a socket.
    package init(path: String, logger: Logger) throws(TransportError) {
        self.path = path
        self.logger = logger
        guard !path.isEmpty else { throw TransportError("The socket path is empty.") }
        guard path.utf8.count <= Self.maxPathBytes else {
            throw TransportError(
                "The socket path is \(path.utf8.count) bytes long; Unix sockets allow at most \(Self.maxPathBytes)."
                    + " Choose a shorter path."
            )
        }
        try Self.removeStaleSocket(at: path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw TransportError("Cannot create a Unix socket.", cause: .current("create a socket", call: "socket"))
        }
        var address = Self.address(for: path)
        // A process-wide umask change, but only during start-up, before any other thread creates files.
        let previousMask = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        let bindErrno = lastErrno()
        umask(previousMask)
        guard bound == 0 else {
            close(fd)
            let cause = SystemCallError("bind \(path)", call: "bind", errno: bindErrno)
            if bindErrno == EADDRINUSE {
                throw TransportError("Another server is already listening on \(path).", cause: cause)
            }
            throw TransportError("Cannot create the socket file \(path).", cause: cause)
        }
        chmod(path, 0o600)
        guard listen(fd, SOMAXCONN) == 0 else {
            let cause = SystemCallError.current("listen on \(path)", call: "listen")
            close(fd)
            unlink(path)
            throw TransportError("Cannot listen on \(path).", cause: cause)
        }
        var status = stat()
        _ = lstat(path, &status)
        self.identity = (UInt64(status.st_dev), UInt64(status.st_ino))
        self.listenFD = fd
    }

    /// Starts accepting; each accepted descriptor is handed to `accepted` on the accept thread.
    package func start(accepted: @escaping @Sendable (Int32) -> Void) {
        let thread = Thread { [self] in
            acceptLoop(accepted)
        }
        thread.name = "taskwire-accept"
        thread.start()
    }

    /// Stops accepting, waits for the accept thread, closes the socket and removes its file.
    package func stop() async {
        let alreadyStopped = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !alreadyStopped else { return }
        // shutdown() wakes a thread blocked in accept(2) on Linux.
        shutdown(listenFD, Int32(SHUT_RDWR))
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = acceptLoopDone.withLock { waiter -> Bool in
                if finished.load(ordering: .acquiring) { return true }
                waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        close(listenFD)
        removeFileIfOurs()
    }

    private func acceptLoop(_ accepted: @Sendable (Int32) -> Void) {
        while !stopped.withLock({ $0 }) {
            let fd = accept(listenFD, nil, nil)
            if fd >= 0 {
                // accept4 is not visible from Swift here; the server never forks, so no child can race this.
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                accepted(fd)
                continue
            }
            let code = lastErrno()
            switch code {
            case EINTR, ECONNABORTED, EAGAIN:
                continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                // Out of descriptors: wait for one to be freed instead of spinning on the failing accept.
                logger.error("cannot accept a connection", ["error": String(cString: strerror(code))])
                var pollFD = pollfd(fd: listenFD, events: 0, revents: 0)
                _ = poll(&pollFD, 1, 100)
            default:
                if !stopped.withLock({ $0 }) {
                    logger.error("accept failed; no longer listening", ["error": String(cString: strerror(code))])
                }
                finishLoop()
                return
            }
        }
        finishLoop()
    }

    private func finishLoop() {
        let waiter = acceptLoopDone.withLock { waiter in
            finished.store(true, ordering: .releasing)
            defer { waiter = nil }
            return waiter
        }
        waiter?.resume()
    }

    private func removeFileIfOurs() {
        var status = stat()
        guard lstat(path, &status) == 0, UInt64(status.st_dev) == identity.device,
            UInt64(status.st_ino) == identity.inode
        else { return }
        unlink(path)
    }

    /// Removes a socket file nobody answers on; refuses to touch a live socket or a file that is not a socket.
    private static func removeStaleSocket(at path: String) throws(TransportError) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard (status.st_mode & S_IFMT) == S_IFSOCK else {
            throw TransportError("\(path) exists and is not a socket; refusing to replace it.")
        }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else {
            throw TransportError("Cannot create a Unix socket.", cause: .current("create a socket", call: "socket"))
        }
        defer { close(probe) }
        var address = address(for: path)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if connected == 0 {
            throw TransportError("Another server is already listening on \(path); refusing to start.")
        }
        let code = lastErrno()
        guard code == ECONNREFUSED else {
            throw TransportError(
                "Cannot check whether \(path) is in use.",
                cause: SystemCallError("connect to \(path)", call: "connect", errno: code)
            )
        }
        guard unlink(path) == 0 || lastErrno() == ENOENT else {
            throw TransportError(
                "Cannot remove the stale socket file \(path).",
                cause: .current("remove \(path)", call: "unlink")
            )
        }
    }

    /// A `sockaddr_un` for a path already checked to fit.
    static func address(for path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }
}
