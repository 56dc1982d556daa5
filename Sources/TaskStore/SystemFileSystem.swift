import Glibc

/// The real ``FileSystem``: thin wrappers over Glibc that turn `errno` into a ``StoreError``.
package struct SystemFileSystem: FileSystem {
    /// The file system of the machine.
    package init() {}

    /// `open(2)`, retried on `EINTR`, always with `O_CLOEXEC`.
    package func open(_ path: String, flags: Int32, mode: UInt32) throws(StoreError) -> OpenFile {
        while true {
            let descriptor = Glibc.open(path, flags | O_CLOEXEC, mode_t(mode))
            if descriptor >= 0 { return OpenFile(descriptor: descriptor, path: path) }
            if errno != EINTR { throw Self.error("open", path: path) }
        }
    }

    /// `close(2)`.
    package func close(_ file: OpenFile) {
        _ = Glibc.close(file.descriptor)
    }

    /// `pwrite(2)` in a loop until every byte is written.
    package func write(_ file: OpenFile, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(StoreError) {
        var done = 0
        while done < bytes.count {
            guard let base = bytes.baseAddress else { return }
            let wrote = pwrite(file.descriptor, base + done, bytes.count - done, off_t(offset) + off_t(done))
            if wrote < 0 {
                if errno == EINTR { continue }
                throw Self.error("pwrite", path: file.path, offset: offset + Int64(done))
            }
            done += wrote
        }
    }

    /// `pread(2)`, retried on `EINTR`.
    package func read(
        _ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64
    ) throws(StoreError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let got = pread(file.descriptor, base, buffer.count, off_t(offset))
            if got >= 0 { return got }
            if errno != EINTR { throw Self.error("pread", path: file.path, offset: offset) }
        }
    }

    /// `fdatasync(2)`; never retried by the store when it fails.
    package func syncData(_ file: OpenFile) throws(StoreError) {
        if fdatasync(file.descriptor) != 0 { throw Self.error("fdatasync", path: file.path) }
    }

    /// `fsync(2)`.
    package func sync(_ file: OpenFile) throws(StoreError) {
        if fsync(file.descriptor) != 0 { throw Self.error("fsync", path: file.path) }
    }

    /// `posix_fallocate(3)`, which reports its error as a return value.
    package func allocate(_ file: OpenFile, offset: Int64, length: Int64) throws(StoreError) {
        // posix_fallocate returns the error number instead of setting errno.
        var result: Int32
        repeat {
            result = posix_fallocate(file.descriptor, off_t(offset), off_t(length))
        } while result == EINTR
        if result != 0 { throw Self.error("posix_fallocate", number: result, path: file.path, offset: offset) }
    }

    /// `ftruncate(2)`.
    package func truncate(_ file: OpenFile, length: Int64) throws(StoreError) {
        if ftruncate(file.descriptor, off_t(length)) != 0 { throw Self.error("ftruncate", path: file.path) }
    }

    /// `fstat(2)`'s size.
    package func size(of file: OpenFile) throws(StoreError) -> Int64 {
        var info = stat()
        if fstat(file.descriptor, &info) != 0 { throw Self.error("fstat", path: file.path) }
        return Int64(info.st_size)
    }

    /// `flock(2)` with `LOCK_NB`.
    package func tryLock(_ file: OpenFile, exclusive: Bool) throws(StoreError) -> Bool {
        while true {
            if flock(file.descriptor, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 { return true }
            switch errno {
            case EINTR: continue
            case EWOULDBLOCK: return false
            default: throw Self.error("flock", path: file.path)
            }
        }
    }

    /// `rename(2)`.
    package func rename(_ source: String, to destination: String) throws(StoreError) {
        if Glibc.rename(source, destination) != 0 { throw Self.error("rename", path: source) }
    }

    /// `unlink(2)`, ignoring `ENOENT`.
    package func remove(_ path: String) throws(StoreError) {
        if unlink(path) != 0 && errno != ENOENT { throw Self.error("unlink", path: path) }
    }

    /// `mkdir(2)`, creating missing parents.
    /// A directory it creates gets exactly `mode`, whatever the process umask is at that instant (another
    /// thread may narrow it briefly, as the socket listener does around `bind`).
    package func makeDirectory(_ path: String, mode: UInt32) throws(StoreError) {
        if mkdir(path, mode_t(mode)) == 0 {
            _ = chmod(path, mode_t(mode))
            return
        }
        switch errno {
        case EEXIST:
            return
        case ENOENT:
            let parent = StorePaths.parent(of: path)
            guard parent != path, !parent.isEmpty else { throw Self.error("mkdir", path: path) }
            try makeDirectory(parent, mode: mode)
            if mkdir(path, mode_t(mode)) == 0 {
                _ = chmod(path, mode_t(mode))
            } else if errno != EEXIST {
                throw Self.error("mkdir", path: path)
            }
        default:
            throw Self.error("mkdir", path: path)
        }
    }

    /// `opendir(3)` and `readdir(3)`.
    package func contentsOfDirectory(_ path: String) throws(StoreError) -> [String]? {
        guard let directory = opendir(path) else {
            if errno == ENOENT { return nil }
            throw Self.error("opendir", path: path)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// `stat(2)` succeeds.
    package func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// `statvfs(3)`: available blocks times the fragment size.
    package func availableSpace(_ path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// Wraps the current `errno` (or `number`) of `call` into a ``StoreError``.
    static func error(_ call: String, number: Int32 = errno, path: String, offset: Int64? = nil) -> StoreError {
        let reason = String(cString: strerror(number))
        let location = offset.map { "\(path) at \($0)" } ?? path
        return StoreError(
            code: number == ENOSPC || number == EDQUOT ? .diskFull : .io,
            message: number == ENOSPC
                ? "The disk is full." : number == EDQUOT ? "The disk quota is exhausted." : "A file operation failed.",
            cause: "\(call): \(reason) (errno \(number))",
            location: location
        )
    }
}
