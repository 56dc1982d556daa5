import Glibc

extension FileStore {
    /// When a ticket reports a record durable, and so what a machine crash can lose.
    package enum Durability: String, Sendable, CaseIterable {
        /// A ticket completes only after the `fdatasync` covering its record: nothing answered is ever lost.
        case always
        /// A ticket completes after `write(2)` (the record is in the page cache) and an `fdatasync` runs at
        /// least every ``Options/batchInterval``: a machine crash (not a process crash) loses up to that much.
        case batched
        /// Never `fdatasync` except at a snapshot or on close: a machine crash loses everything since then.
        case none
    }

    /// How a ``FileStore`` writes; the defaults suit a server.
    package struct Options: Sendable {
        /// When tickets complete; `--durability` on the command line.
        package var durability: Durability = .always
        /// With ``Durability/batched``, the longest time written records stay without an `fdatasync`.
        package var batchInterval: Duration = .milliseconds(50)
        /// ``FileStore/snapshotDue`` turns true after this many records since the last snapshot...
        package var snapshotRecordThreshold = 100_000
        /// ...or after this many journal bytes.
        package var snapshotByteThreshold = 64 << 20
        /// Journal space is reserved ahead in chunks of this many bytes, so a full disk refuses an append
        /// before the engine applies it instead of failing the write after the client was answered.
        package var preallocationChunk = 8 << 20
        /// Where file operations go; tests inject failures here.
        package var fileSystem: any FileSystem = SystemFileSystem()
        /// Called once, from the writer thread, when the store enters the failed state (a write or fsync
        /// failed): the server should stop and exit non-zero.
        package var onFailure: (@Sendable (StoreError) -> Void)?
        /// Receives warnings that happen after start-up (a snapshot that could not be written); by default
        /// they are written to stderr.
        package var onWarning: @Sendable (String) -> Void = FileStore.logToStandardError
        /// Receives what the store did in the background, with fields (a snapshot written: its last record,
        /// size, and the milliseconds spent encoding and writing it); by default nothing.
        package var onInfo: @Sendable (_ message: String, _ fields: KeyValuePairs<String, String>) -> Void = { _, _ in }

        /// The defaults: `always`, 50 ms batches, snapshots every 100,000 records or 64 MiB, 8 MiB reserve.
        package init() {}
    }

    /// Writes one line to stderr (stdout carries the protocol).
    @Sendable package static func logToStandardError(_ message: String) {
        var line = Array("taskwire store: \(message)\n".utf8)
        line.withUnsafeMutableBytes { raw in
            var done = 0
            while done < raw.count, let base = raw.baseAddress {
                let wrote = Glibc.write(2, base + done, raw.count - done)
                if wrote <= 0 { break }
                done += wrote
            }
        }
    }
}
