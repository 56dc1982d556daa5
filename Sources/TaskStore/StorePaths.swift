/// The names of the files in a data directory, in one place.
///
/// `LOCK` (the `flock`), `journal-<first record number, 16 hex>.log` (segments), `journal.spare` (the next
/// segment, preallocated), `journal.manifest` (which segment is the newest, see ``JournalManifest``),
/// `snapshot-<last record number, 16 hex>.snap` and `blobs/<2 hex>/<rest>`.
enum StorePaths {
    static let lock = "LOCK"
    static let spareSegment = "journal.spare"
    static let manifest = "journal.manifest"
    static let blobs = "blobs"
    static let temporarySuffix = ".tmp"

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    /// `name` without its `.tmp` suffix (the file an interrupted write was making), or `name` itself.
    static func withoutTemporarySuffix(_ name: String) -> String {
        name.hasSuffix(temporarySuffix) ? String(name.dropLast(temporarySuffix.count)) : name
    }

    static func segmentName(firstRecord: UInt64) -> String {
        "journal-" + hex16(firstRecord) + ".log"
    }

    static func snapshotName(lastRecord: UInt64) -> String {
        "snapshot-" + hex16(lastRecord) + ".snap"
    }

    /// The first record number of a segment file name, or nil when `name` is not one.
    static func segmentFirstRecord(_ name: String) -> UInt64? {
        number(in: name, prefix: "journal-", suffix: ".log")
    }

    /// The last record number covered by a snapshot file name, or nil when `name` is not one.
    static func snapshotLastRecord(_ name: String) -> UInt64? {
        number(in: name, prefix: "snapshot-", suffix: ".snap")
    }

    static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }

    private static func number(in name: String, prefix: String, suffix: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
        guard digits.count == 16, digits.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        return UInt64(digits, radix: 16)
    }
}
