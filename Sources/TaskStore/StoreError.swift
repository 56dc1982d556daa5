/// A failure of the store, with the system call and `errno` that caused it and where it happened.
package struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; it decides the wire error and the process exit code.
    package enum Code: Sendable, Hashable {
        /// Another process holds the data directory's lock.
        case locked
        /// Durable data is damaged (not just a torn tail): the server must not start.
        case damaged
        /// The disk is full; the write was refused and nothing changed.
        case diskFull
        /// A write or fsync failed; the store stopped accepting writes.
        case failed
        /// The store was closed.
        case closed
        /// Any other I/O problem (opening, reading, permissions).
        case io
        /// The store follows another process that writes it (a read node on a shared database): it refused
        /// the write and nothing changed.
        case readOnly
    }

    package var code: Code
    package var message: String
    /// The failing system call and its errno, when there is one ("fdatasync: Input/output error").
    package var cause: String?
    /// The file, and the byte offset when it matters ("journal-0000000000000001.log at 4096").
    package var location: String?

    package init(code: Code, message: String, cause: String? = nil, location: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
        self.location = location
    }

    package var description: String {
        var text = message
        if let location { text += " (\(location))" }
        if let cause { text += ": \(cause)" }
        return text
    }
}
