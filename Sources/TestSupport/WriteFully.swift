#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes every byte to a blocking descriptor, retrying partial writes and `EINTR`.
///
/// Returns `nil` when everything was written, else the `errno` of the write that failed (the peer closed
/// the pipe or socket). Test clients use it to send exactly the bytes a test asks for.
package func writeFully(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
    bytes.withUnsafeBytes { buffer -> Int32? in
        guard let base = buffer.baseAddress else { return nil }
        var offset = 0
        while offset < buffer.count {
            let written = write(fd, base + offset, buffer.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR {
                continue
            } else {
                return errno
            }
        }
        return nil
    }
}

/// A pipe whose ends are not inherited by processes spawned later (tests spawn servers in parallel, and a
/// child holding a copy of a write end would keep the reader from ever seeing EOF).
package func privatePipe() -> (read: Int32, write: Int32)? {
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else { return nil }
    for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    return (ends[0], ends[1])
}
