import Glibc
import Locking

extension FileStore {
    /// Makes temporary blob file names unique within the process.
    private static let temporaryCounter = Atomic<Int>(0)

    private var blobsDirectory: String { StorePaths.join(directory, StorePaths.blobs) }

    /// Writes a temporary file, fsyncs it, renames it into `blobs/<2 hex>/<rest>` and fsyncs the directory.
    package func putBlob(key: String, bytes: [UInt8]) throws(StoreError) {
        try BlobKey.validate(key)
        let (prefix, name) = BlobKey.split(key)
        let folder = StorePaths.join(blobsDirectory, prefix)
        let path = StorePaths.join(folder, name)
        if fileSystem.exists(path) { return }
        if !fileSystem.exists(folder) {
            let blobsExisted = fileSystem.exists(blobsDirectory)
            try fileSystem.makeDirectory(folder, mode: 0o700)
            if !blobsExisted { try fileSystem.syncDirectory(directory) }
            try fileSystem.syncDirectory(blobsDirectory)
        }
        let unique = Self.temporaryCounter.wrappingAdd(1, ordering: .relaxed).newValue
        let temporary = "\(path).\(getpid()).\(unique)\(StorePaths.temporarySuffix)"
        let file = try fileSystem.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        do throws(StoreError) {
            defer { fileSystem.close(file) }
            try fileSystem.write(file, bytes, at: 0)
            try fileSystem.sync(file)
        } catch {
            try? fileSystem.remove(temporary)
            throw error
        }
        try fileSystem.rename(temporary, to: path)
        try fileSystem.syncDirectory(folder)
    }

    /// Reads a blob whole.
    package func blob(key: String) throws(StoreError) -> [UInt8]? {
        try BlobKey.validate(key)
        let (prefix, name) = BlobKey.split(key)
        let path = StorePaths.join(StorePaths.join(blobsDirectory, prefix), name)
        guard fileSystem.exists(path) else { return nil }
        let file: OpenFile
        do throws(StoreError) {
            file = try fileSystem.open(path, flags: O_RDONLY, mode: 0)
        } catch {
            if !fileSystem.exists(path) { return nil }
            throw error
        }
        defer { fileSystem.close(file) }
        let size = try fileSystem.size(of: file)
        return try fileSystem.read(file, count: Int(size), at: 0)
    }

    /// Unlinks a blob and fsyncs its directory.
    package func deleteBlob(key: String) throws(StoreError) {
        try BlobKey.validate(key)
        let (prefix, name) = BlobKey.split(key)
        let folder = StorePaths.join(blobsDirectory, prefix)
        let path = StorePaths.join(folder, name)
        guard fileSystem.exists(path) else { return }
        try fileSystem.remove(path)
        try fileSystem.syncDirectory(folder)
    }

    /// Lists `blobs/`, skipping temporary files of interrupted writes.
    package func blobKeys() throws(StoreError) -> [String] {
        guard let prefixes = try fileSystem.contentsOfDirectory(blobsDirectory) else { return [] }
        var keys: [String] = []
        for prefix in prefixes where prefix.utf8.count == 2 {
            for name in try fileSystem.contentsOfDirectory(StorePaths.join(blobsDirectory, prefix)) ?? [] {
                let key = prefix + name
                if (try? BlobKey.validate(key)) != nil { keys.append(key) }
            }
        }
        return keys.sorted()
    }
}
