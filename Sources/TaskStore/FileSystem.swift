import Glibc

/// An open file: its descriptor and the path it was opened with, so every error can name the file.
package struct OpenFile: Sendable {
    /// The file descriptor.
    package var descriptor: Int32
    /// The path the file was opened with (or renamed to), for error messages.
    package var path: String

    /// Wraps a descriptor that belongs to `path`.
    package init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }
}

/// Every file operation the store performs, so that tests can fail the k-th write or fsync.
///
/// ``SystemFileSystem`` is the real implementation over Glibc. Errors are ``StoreError`` values that carry the
/// system call and errno in `cause` and the path in `location`; `ENOSPC` becomes ``StoreError/Code/diskFull``.
package protocol FileSystem: Sendable {
    /// Opens (and with `O_CREAT` creates) `path` with `open(2)` flags.
    func open(_ path: String, flags: Int32, mode: UInt32) throws(StoreError) -> OpenFile
    /// Closes the file; errors are ignored because nothing can be done about them.
    func close(_ file: OpenFile)
    /// Writes all of `bytes` at `offset`, looping over short writes.
    func write(_ file: OpenFile, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(StoreError)
    /// Reads up to `buffer.count` bytes at `offset`; returns how many were read (0 at the end of the file).
    func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(StoreError) -> Int
    /// `fdatasync(2)`: the file's data and the metadata needed to read it back.
    func syncData(_ file: OpenFile) throws(StoreError)
    /// `fsync(2)`: used for directories, after a rename, create or unlink.
    func sync(_ file: OpenFile) throws(StoreError)
    /// `posix_fallocate(3)`: reserves `length` bytes at `offset`, extending the file; they read back as zeros.
    func allocate(_ file: OpenFile, offset: Int64, length: Int64) throws(StoreError)
    /// `ftruncate(2)`.
    func truncate(_ file: OpenFile, length: Int64) throws(StoreError)
    /// The file's size in bytes.
    func size(of file: OpenFile) throws(StoreError) -> Int64
    /// `flock(2)` without blocking; returns false when another open file description holds a conflicting lock.
    func tryLock(_ file: OpenFile, exclusive: Bool) throws(StoreError) -> Bool
    /// `rename(2)`, atomically replacing `destination`.
    func rename(_ source: String, to destination: String) throws(StoreError)
    /// `unlink(2)`; a missing file is not an error.
    func remove(_ path: String) throws(StoreError)
    /// Creates the directory (and missing parents) with `mode`; an existing directory is not an error.
    func makeDirectory(_ path: String, mode: UInt32) throws(StoreError)
    /// The names in a directory, without `.` and `..`; nil when it does not exist.
    func contentsOfDirectory(_ path: String) throws(StoreError) -> [String]?
    /// Whether something exists at `path`.
    func exists(_ path: String) -> Bool
    /// The bytes an unprivileged process may still write on the volume holding `path` (`statvfs(3)`'s
    /// `f_bavail` blocks), or nil when that cannot be told.
    func availableSpace(_ path: String) -> Int64?
}

extension FileSystem {
    /// Releases a lock taken with ``tryLock(_:exclusive:)``.
    ///
    /// Closing the descriptor alone is not enough: a child process forked at that moment (by a host that
    /// embeds the store and spawns programs) shares the open file description, and with it the lock, until it
    /// execs. `LOCK_UN` releases the lock of the description itself.
    func unlock(_ file: OpenFile) {
        _ = flock(file.descriptor, LOCK_UN)
    }

    /// Opens a directory read-only, to fsync it after changing its entries.
    package func syncDirectory(_ path: String) throws(StoreError) {
        let directory = try open(path, flags: O_RDONLY | O_DIRECTORY, mode: 0)
        defer { close(directory) }
        try sync(directory)
    }

    /// Reads exactly `count` bytes at `offset`, or fewer when the file ends first.
    package func read(_ file: OpenFile, count: Int, at offset: Int64) throws(StoreError) -> [UInt8] {
        var failure: StoreError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                do throws(StoreError) {
                    let rest = UnsafeMutableBufferPointer(rebasing: buffer[done...])
                    let got = try read(file, into: UnsafeMutableRawBufferPointer(rest), at: offset + Int64(done))
                    if got == 0 { break }
                    done += got
                } catch {
                    failure = error
                    break
                }
            }
            initialized = done
        }
        if let failure { throw failure }
        return bytes
    }

    /// Writes all of `bytes` at `offset`.
    package func write(_ file: OpenFile, _ bytes: [UInt8], at offset: Int64) throws(StoreError) {
        var failure: StoreError?
        bytes.withUnsafeBytes { raw in
            do throws(StoreError) { try write(file, raw, at: offset) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
