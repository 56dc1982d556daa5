import Glibc
import JSON

/// One line of a version 2 snapshot, `{"kind": …, …}`: its kind, and its bytes for the one reader of that
/// kind (the header, the event log, or a ledger) to parse.
///
/// Lines written by the engine start with their kind (`{"kind":"task",…`), which is read without parsing
/// the line; a line whose `kind` comes later is parsed to find it. Event lines are
/// `{"kind":"event","record":<the journal record's bytes>}`, recognised by that exact prefix, so a restart
/// copies the records into the log without parsing them.
struct SnapshotLine: Sendable {
    /// What a line holds; each kind has exactly one reader.
    struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        var rawValue: String
        init(rawValue: String) { self.rawValue = rawValue }
        var description: String { rawValue }

        static let header = Kind(rawValue: "header")
        static let event = Kind(rawValue: "event")
    }

    var kind: Kind
    /// The whole line.
    var bytes: ArraySlice<UInt8>

    private static let kindPrefix: [UInt8] = Array(#"{"kind":""#.utf8)
    /// The prefix of every event line, up to the record's first byte.
    static let eventPrefix: [UInt8] = Array(#"{"kind":"event","record":"#.utf8)

    /// A line whose kind is known from elsewhere (the positional version 1 format).
    init(kind: Kind, bytes: ArraySlice<UInt8>) {
        self.kind = kind
        self.bytes = bytes
    }

    /// Reads a line's kind; throws ``EngineError/damaged(_:)`` when it is not a JSON object with a string
    /// `kind`.
    init(_ line: ArraySlice<UInt8>) throws(EngineError) {
        bytes = line
        // Read with memcmp and memchr: this runs once per line of a snapshot of a million tasks.
        let name = line.withUnsafeBufferPointer { buffer -> String? in
            let prefix = Self.kindPrefix.count
            guard let base = buffer.baseAddress, buffer.count > prefix, memcmp(base, Self.kindPrefix, prefix) == 0,
                let quote = memchr(base + prefix, Int32(UInt8(ascii: "\"")), buffer.count - prefix)
            else { return nil }
            let length = UnsafeRawPointer(base + prefix).distance(to: UnsafeRawPointer(quote))
            guard memchr(base + prefix, Int32(UInt8(ascii: "\\")), length) == nil else { return nil }
            return String(decoding: UnsafeBufferPointer(start: base + prefix, count: length), as: UTF8.self)
        }
        if let name {
            kind = Kind(rawValue: name)
            return
        }
        guard let name = try? JSONParser.parse(line)["kind"]?.stringValue else {
            throw .damaged("a snapshot line is not a JSON object with a kind")
        }
        kind = Kind(rawValue: name)
    }

    /// The line parsed, without its `kind`.
    func object() throws(EngineError) -> JSONObject {
        guard var object = try? JSONParser.parse(bytes).objectValue else {
            throw .damaged("a snapshot \(kind) line is not JSON")
        }
        object["kind"] = nil
        return object
    }

    /// The journal record an event line carries: its bytes as written, or re-encoded when the line was not
    /// written in the engine's own form.
    func record() throws(EngineError) -> ArraySlice<UInt8> {
        if let record = Self.writtenRecord(bytes) { return record }
        guard let record = try object()["record"], record.objectValue != nil else {
            throw .damaged("a snapshot event line has no record")
        }
        return JSONWriter.bytes(record)[...]
    }

    /// The record of an event line in the engine's own form (``eventPrefix``, the record, `}`), or `nil` for
    /// any other line.
    static func writtenRecord(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let written = line.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > eventPrefix.count + 1 else { return false }
            return memcmp(base, eventPrefix, eventPrefix.count) == 0 && buffer[buffer.count - 1] == 0x7D
        }
        return written ? line[(line.startIndex + eventPrefix.count)..<(line.endIndex - 1)] : nil
    }

    /// The non-empty lines of a snapshot, found with `memchr`: the generic `split` took a fifth of the time
    /// of a restart on a million tasks.
    static func lines(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var start = 0
            while start < buffer.count {
                guard let found = memchr(base + start, 0x0A, buffer.count - start) else {
                    lines.append(bytes[start..<buffer.count])
                    return
                }
                let end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
                if end > start { lines.append(bytes[start..<end]) }
                start = end + 1
            }
        }
        return lines
    }
}

/// Writes a version 2 snapshot: one compact JSON object per line, each starting with its `kind`.
struct SnapshotWriter {
    private(set) var bytes: [UInt8] = []

    /// Appends `{"kind": kind, …members}`.
    mutating func write(_ kind: SnapshotLine.Kind, _ members: JSONObject) {
        var object: JSONObject = ["kind": .string(kind.rawValue)]
        for member in members.members { object.append(member.key, member.value) }
        JSONWriter.write(.object(object), into: &bytes)
        bytes.append(0x0A)
    }

    /// Appends a line that `body` encodes itself, ending with its newline (see
    /// ``TaskItem/appendSnapshotLine(history:to:)``).
    mutating func appendRaw(_ body: (inout [UInt8]) -> Void) {
        body(&bytes)
    }

    /// Reserves room for `count` more bytes, so a large snapshot grows its buffer few times.
    mutating func reserve(_ count: Int) {
        bytes.reserveCapacity(bytes.count + count)
    }

    /// Appends an event line around a journal record's bytes, copied as they are.
    mutating func writeEvent(_ record: some Collection<UInt8>) {
        bytes.append(contentsOf: SnapshotLine.eventPrefix)
        bytes.append(contentsOf: record)
        bytes.append(UInt8(ascii: "}"))
        bytes.append(0x0A)
    }
}
