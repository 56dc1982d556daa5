import Glibc
import Locking

/// The `email` channel when no `--sendmail` command is given: each message becomes a file
/// `<directory>/<deliveryID>.eml`, for a person or a mail system to pick up.
///
/// A file holds one whole RFC 5322 message with CRLF line endings (the form `.eml` readers and mail
/// servers expect); its name is the delivery id (anything but letters, digits, `_` and `-` written as
/// `_`). It appears whole or not at all and survives a crash of the machine once the delivery counts as
/// delivered: the message goes into a hidden temporary file (`.tmp-<deliveryID>.<n>-<pid>-<random>`, mode
/// 0600) that is fsynced and linked to its final name (which never replaces an existing file); the temporary
/// name is removed and the directory fsynced. A file already there under the final name means an earlier
/// attempt delivered it: the attempt counts as delivered and the file is left as it is, so an at-least-once
/// retry never writes a second copy. Temporary files a crash left behind are removed at the channel's first
/// delivery; readers ignore names starting with `.`. The directory is created (mode 0700, parents too) when
/// missing.
///
/// A failure to write (no space, no permission) is ``DeliveryOutcome/retry(reason:)``; the retry schedule
/// gives up in the end.
package struct OutboxChannel: DeliveryChannel {
    /// `email`, the channel a configuration names.
    package var name: String { "email" }
    /// Where the `.eml` files go (the data directory's `outbox`, unless configured otherwise).
    package let directory: String
    /// The `From` of every message.
    package let sender: Mailbox

    /// A channel writing into `directory`, created when first needed.
    private let sweep = Sweep()

    package init(directory: String, sender: Mailbox = .defaultSender) {
        self.directory = directory
        self.sender = sender
    }

    /// The file name a delivery is written under.
    package static func fileName(for deliveryID: String) -> String {
        let safe = deliveryID.utf8.map { byte -> UInt8 in
            Mailbox.isLetterOrDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                ? byte : UInt8(ascii: "_")
        }
        return String(decoding: safe.isEmpty ? Array("delivery".utf8) : safe, as: UTF8.self) + ".eml"
    }

    /// Builds the message and writes its file on a thread of its own.
    package func deliver(_ notification: OutgoingNotification) async -> DeliveryOutcome {
        let message: EmailMessage
        do {
            message = try EmailMessage(for: notification, sender: sender)
        } catch {
            return .giveUp(reason: error.reason)
        }
        let bytes = message.bytes(lineEnding: .crlf)
        let (directory, sweep) = (directory, sweep)
        let name = Self.fileName(for: notification.deliveryID)
        let result = await onOwnThread { () -> Result<Void, SystemFailure> in
            Result { () throws(SystemFailure) in
                try Self.writeFile(bytes, named: name, into: directory, sweep: sweep)
            }
        }
        switch result {
        case .success: return .delivered
        case .failure(let failure): return .retry(reason: "the outbox file could not be written: \(failure.reason)")
        }
    }

    /// Writes the file as described on the type; blocking.
    static func writeFile(
        _ bytes: [UInt8], named name: String, into directory: String, sweep: Sweep? = nil
    ) throws(SystemFailure) {
        try makeDirectory(directory)
        if let sweep, sweep.isFirst() { removeLeftovers(in: directory) }
        let finalPath = directory + "/" + name
        if exists(finalPath) { return }
        let temporaryPath = directory + "/" + TemporaryName.prefix + name.dropLast(4) + "." + TemporaryName.next()
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SystemFailure("open \(temporaryPath)", number: errno) }
        do throws(SystemFailure) {
            defer { close(descriptor) }
            try writeAll(bytes, to: descriptor, path: temporaryPath)
            guard fsync(descriptor) == 0 else { throw SystemFailure("fsync \(temporaryPath)", number: errno) }
        } catch {
            unlink(temporaryPath)
            throw error
        }
        if link(temporaryPath, finalPath) != 0 {
            let number = errno
            // A file system without hard links: rename, after the check above for an existing file.
            let renamed =
                number != EEXIST && (number == EPERM || number == EOPNOTSUPP || number == ENOSYS || number == EMLINK)
                && rename(temporaryPath, finalPath) == 0
            if !renamed {
                unlink(temporaryPath)
                if number == EEXIST { return }
                throw SystemFailure("link \(finalPath)", number: number)
            }
        } else {
            unlink(temporaryPath)
        }
        // One fsync makes the new name and the temporary name's removal durable together.
        do throws(SystemFailure) {
            try syncDirectory(directory)
        } catch {
            // Not durable: take the name back so the retry writes it again instead of trusting it.
            unlink(finalPath)
            throw error
        }
    }

    private static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    private static func makeDirectory(_ path: String) throws(SystemFailure) {
        var status = stat()
        if stat(path, &status) == 0 { return }
        let parent = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
        if !parent.isEmpty, parent != path { try makeDirectory(parent) }
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw SystemFailure("mkdir \(path)", number: errno) }
        if !parent.isEmpty { try? syncDirectory(parent) }
    }

    /// Removes the temporary files an earlier process left behind when it crashed mid-write; those of this
    /// process are never touched, as an attempt may be writing one.
    private static func removeLeftovers(in directory: String) {
        guard let stream = opendir(directory) else { return }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(TemporaryName.prefix), !name.hasSuffix(TemporaryName.processSuffix) {
                names.append(name)
            }
        }
        for name in names { unlink(directory + "/" + name) }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(SystemFailure) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes {
                write(descriptor, $0.baseAddress.map { $0 + offset }, bytes.count - offset)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemFailure("write \(path)", number: errno)
            }
            offset += count
        }
    }

    private static func syncDirectory(_ path: String) throws(SystemFailure) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemFailure("open \(path)", number: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw SystemFailure("fsync \(path)", number: errno) }
    }
}

/// Names temporary files `.tmp-<name>.<n>-<pid>-<random>`: a counter, then this process's id and a random
/// number drawn once (a restarted server in a container often has the same pid), so no two attempts ever
/// pick the same name and a sweep can tell this process's files from those a crash left.
private enum TemporaryName {
    static let prefix = ".tmp-"
    static let processSuffix = "-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    private static let counter = Atomic<UInt64>(0)

    static func next() -> String {
        "\(counter.wrappingAdd(1, ordering: .relaxed).newValue)" + processSuffix
    }
}

extension OutboxChannel {
    /// Remembers whether the channel already swept its directory for leftovers (once, at its first delivery).
    final class Sweep: Sendable {
        private let done = Atomic<Bool>(false)

        /// True exactly once.
        func isFirst() -> Bool {
            !done.exchange(true, ordering: .relaxed)
        }
    }
}
