import Foundation

/// Reads a snapshot's task line straight into a ``TaskItem`` in one pass over its bytes, without building a
/// JSON tree and looking its members up one by one.
///
/// It reads only the compact form the engine writes: no whitespace, no escapes, plain integers, each member at
/// most once, no member it does not know and none of the fields kept out of line (workflow and template
/// fields). Whatever else a line holds makes it answer `nil`, and the caller reads that line the general way
/// (``SnapshotLine/object()`` and ``TaskItem/init(persistent:)``), which accepts or refuses it as before. So
/// for every line this reader accepts, the general reader gives the same task and history; it never accepts a
/// line the general reader would refuse.
struct TaskLineDecoder {
    /// A decoded line: the task and the `seq`s of its history, oldest first.
    struct Decoded: Sendable {
        var task: TaskItem
        var history: [Int]
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private static let prefix: [UInt8] = Array(#"{"kind":"task","#.utf8)

    /// The task and history of a line in the engine's own compact form, or `nil` for any other line.
    static func decode(_ line: ArraySlice<UInt8>) -> Decoded? {
        line.withUnsafeBufferPointer { buffer in
            var decoder = TaskLineDecoder(buffer)
            return decoder.decodeLine()
        }
    }

    // Bits of the members seen, so a repeated member sends the line to the general reader.
    private enum Member: Int {
        case taskID, title, description, status, priority, assignee, dueDate, tags, context, progress
        case timeSpentMinutes, createdAt, createdBy, updatedAt, completedAt, completedBy, resolution, outcomes
        case commentsCount, attachmentsCount, watchers, version, deleted, overdueFor, dueSoonFor, history

        init?(_ key: UnsafeBufferPointer<UInt8>) {
            // Dispatch on length, then compare: keys are short and few.
            func equals(_ literal: StaticString) -> Bool {
                literal.utf8CodeUnitCount == key.count
                    && key.elementsEqual(
                        UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
            }
            switch key.count {
            case 4 where equals("tags"): self = .tags
            case 5 where equals("title"): self = .title
            case 6 where equals("status"): self = .status
            case 7 where equals("task_id"): self = .taskID
            case 7 where equals("context"): self = .context
            case 7 where equals("deleted"): self = .deleted
            case 7 where equals("version"): self = .version
            case 7 where equals("history"): self = .history
            case 8 where equals("priority"): self = .priority
            case 8 where equals("assignee"): self = .assignee
            case 8 where equals("due_date"): self = .dueDate
            case 8 where equals("progress"): self = .progress
            case 8 where equals("outcomes"): self = .outcomes
            case 8 where equals("watchers"): self = .watchers
            case 10 where equals("created_at"): self = .createdAt
            case 10 where equals("created_by"): self = .createdBy
            case 10 where equals("updated_at"): self = .updatedAt
            case 10 where equals("resolution"): self = .resolution
            case 11 where equals("description"): self = .description
            case 11 where equals("overdue_for"): self = .overdueFor
            case 12 where equals("completed_at"): self = .completedAt
            case 12 where equals("completed_by"): self = .completedBy
            case 12 where equals("due_soon_for"): self = .dueSoonFor
            case 14 where equals("comments_count"): self = .commentsCount
            case 17 where equals("attachments_count"): self = .attachmentsCount
            case 18 where equals("time_spent_minutes"): self = .timeSpentMinutes
            default: return nil
            }
        }
    }

    /// The members the general reader requires (``TaskItem/init(persistent:)``): every field it sets but the
    /// out-of-line ones, and the identity, times, version and `deleted`.
    private static let required: UInt32 = {
        let members: [Member] = [
            .taskID, .title, .description, .status, .priority, .assignee, .dueDate, .tags, .context, .progress,
            .timeSpentMinutes, .createdAt, .createdBy, .updatedAt, .completedAt, .completedBy, .resolution,
            .outcomes, .version, .deleted,
        ]
        return members.reduce(0) { $0 | 1 << UInt32($1.rawValue) }
    }()

    private mutating func decodeLine() -> Decoded? {
        let prefix = Self.prefix
        guard bytes.count > prefix.count, bytes.starts(with: prefix) else { return nil }
        index = prefix.count
        var seen: UInt32 = 0
        var rawID: UInt64 = 0
        var title = ""
        var description: String?
        var status = TaskStatus.pending
        var priority = TaskPriority.medium
        var assignee: String?
        var dueDate: Timestamp?
        var tags: [String] = []
        var context: [TaskItem.ContextEntry] = []
        var progress = 0
        var timeSpent = 0
        var createdAt = Timestamp(microseconds: 0)
        var createdBy = ""
        var updatedAt = Timestamp(microseconds: 0)
        var completedAt: Timestamp?
        var completedBy: String?
        var resolution: String?
        var outcomes: [String] = []
        var commentsCount = 0
        var attachmentsCount = 0
        var watchers: [UserID] = []
        var version = 0
        var deleted = false
        var overdueFor: Timestamp?
        var dueSoonFor: Timestamp?
        var history: [Int] = []
        while true {
            guard let key = keyBytes(), let member = Member(key) else { return nil }
            let bit: UInt32 = 1 << UInt32(member.rawValue)
            guard seen & bit == 0 else { return nil }
            seen |= bit
            switch member {
            case .taskID:
                guard let text = string(), let raw = TaskID(text)?.raw else { return nil }
                rawID = raw
            case .title:
                guard let text = string() else { return nil }
                title = text
            case .description:
                guard let text = optionalString() else { return nil }
                description = text
            case .status:
                guard let value = string().flatMap(TaskStatus.init(rawValue:)) else { return nil }
                status = value
            case .priority:
                guard let value = string().flatMap(TaskPriority.init(rawValue:)) else { return nil }
                priority = value
            case .assignee:
                guard let text = optionalString() else { return nil }
                assignee = text
            case .dueDate:
                guard let time = optionalTime() else { return nil }
                dueDate = time
            case .tags:
                guard let strings = strings() else { return nil }
                tags = strings
            case .context:
                guard let entries = contextEntries() else { return nil }
                context = entries
            case .progress:
                guard let value = integer() else { return nil }
                progress = value
            case .timeSpentMinutes:
                guard let value = integer() else { return nil }
                timeSpent = value
            case .createdAt:
                guard let time = string().flatMap(Timestamp.init(rfc3339:)) else { return nil }
                createdAt = time
            case .createdBy:
                guard let text = string() else { return nil }
                createdBy = text
            case .updatedAt:
                guard let time = string().flatMap(Timestamp.init(rfc3339:)) else { return nil }
                updatedAt = time
            case .completedAt:
                guard let time = optionalTime() else { return nil }
                completedAt = time
            case .completedBy:
                guard let text = optionalString() else { return nil }
                completedBy = text
            case .resolution:
                guard let text = optionalString() else { return nil }
                resolution = text
            case .outcomes:
                guard let strings = strings() else { return nil }
                outcomes = strings
            case .commentsCount:
                guard let value = integer() else { return nil }
                commentsCount = value
            case .attachmentsCount:
                guard let value = integer() else { return nil }
                attachmentsCount = value
            case .watchers:
                guard let strings = strings() else { return nil }
                watchers = strings.map { UserID($0) }
            case .version:
                guard let value = integer() else { return nil }
                version = value
            case .deleted:
                guard let value = boolean() else { return nil }
                deleted = value
            case .overdueFor:
                guard let time = optionalTime() else { return nil }
                overdueFor = time
            case .dueSoonFor:
                guard let time = optionalTime() else { return nil }
                dueSoonFor = time
            case .history:
                guard let seqs = positiveIntegers() else { return nil }
                history = seqs
            }
            guard index < bytes.count else { return nil }
            let separator = bytes[index]
            index += 1
            if separator == UInt8(ascii: "}") { break }
            guard separator == UInt8(ascii: ",") else { return nil }
        }
        guard index == bytes.count, seen & Self.required == Self.required else { return nil }
        var task = TaskItem(rawID: rawID, title: title, createdAt: createdAt, createdBy: UserID(createdBy))
        task.description = description
        task.status = status
        task.priority = priority
        task.assignee = assignee.map { UserID($0) }
        task.dueDate = dueDate
        task.tags = tags
        task.context = context
        task.progress = progress
        task.timeSpentMinutes = timeSpent
        task.completedAt = completedAt
        task.completedBy = completedBy.map { UserID($0) }
        task.resolution = resolution
        task.outcomes = outcomes
        task.updatedAt = updatedAt
        task.version = version
        task.isDeleted = deleted
        task.commentsCount = commentsCount
        task.attachmentsCount = attachmentsCount
        task.watchers = watchers
        task.overdueFiredFor = overdueFor
        task.dueSoonFiredFor = dueSoonFor
        return Decoded(task: task, history: history)
    }

    // MARK: Values

    /// A member's key and its colon.
    private mutating func keyBytes() -> UnsafeBufferPointer<UInt8>? {
        guard let range = stringRange(), range.ascii, index < bytes.count, bytes[index] == UInt8(ascii: ":")
        else { return nil }
        index += 1
        return UnsafeBufferPointer(rebasing: bytes[range.start..<range.end])
    }

    /// The bytes of a string without escapes or control characters, after its opening quote; `ascii` says
    /// whether every byte is below 0x80.
    private mutating func stringRange() -> (start: Int, end: Int, ascii: Bool)? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        var position = start
        var high: UInt8 = 0
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                index = position + 1
                return (start, position, high < 0x80)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            high |= byte
            position += 1
        }
        return nil
    }

    private mutating func string() -> String? {
        guard let range = stringRange() else { return nil }
        let slice = UnsafeBufferPointer(rebasing: bytes[range.start..<range.end])
        if range.ascii { return String(decoding: slice, as: UTF8.self) }
        return String(validating: slice, as: UTF8.self)
    }

    /// Consumes `null` if it comes next.
    private mutating func null() -> Bool {
        guard bytes.count - index >= 4, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
            bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l")
        else { return false }
        index += 4
        return true
    }

    // Double optionals, as in ``TaskField``: the outer nil means "not this reader's form", the inner one null.
    private mutating func optionalString() -> String?? {
        if null() { return .some(nil) }
        return string().map { .some($0) }
    }

    private mutating func optionalTime() -> Timestamp?? {
        if null() { return .some(nil) }
        return string().flatMap(Timestamp.init(rfc3339:)).map { .some($0) }
    }

    private mutating func boolean() -> Bool? {
        if bytes[index...].starts(with: "true".utf8) {
            index += 4
            return true
        }
        if bytes[index...].starts(with: "false".utf8) {
            index += 5
            return false
        }
        return nil
    }

    /// A plain integer (`-?(0|[1-9][0-9]*)`) that fits in an `Int`; a fraction or exponent is not this
    /// reader's form.
    private mutating func integer() -> Int? {
        var position = index
        let negative = position < bytes.count && bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        let first = position
        var value = 0
        while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            let digit = Int(bytes[position] - UInt8(ascii: "0"))
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, carry) =
                negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !overflow, !carry else { return nil }
            value = next
            position += 1
        }
        let digits = position - first
        guard digits > 0, digits == 1 || bytes[first] != UInt8(ascii: "0") else { return nil }
        if position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return nil
            default: break
            }
        }
        index = position
        return value
    }

    /// Runs `element` over `[a,b,…]`; `false` when the array is not in this reader's form.
    private mutating func array(_ element: (inout TaskLineDecoder) -> Bool) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return false }
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return true
        }
        while true {
            guard element(&self), index < bytes.count else { return false }
            let separator = bytes[index]
            index += 1
            if separator == UInt8(ascii: "]") { return true }
            guard separator == UInt8(ascii: ",") else { return false }
        }
    }

    private mutating func strings() -> [String]? {
        var result: [String] = []
        let complete = array { decoder in
            guard let string = decoder.string() else { return false }
            result.append(string)
            return true
        }
        return complete ? result : nil
    }

    /// A history: `seq`s of at least 1 (anything else is for the general reader to refuse).
    private mutating func positiveIntegers() -> [Int]? {
        var result: [Int] = []
        let complete = array { decoder in
            guard let value = decoder.integer(), value >= 1 else { return false }
            result.append(value)
            return true
        }
        return complete ? result : nil
    }

    /// `{"key":"value",…}`, members in order (a repeated key is kept twice, as the general reader keeps it).
    private mutating func contextEntries() -> [TaskItem.ContextEntry]? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var entries: [TaskItem.ContextEntry] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return entries
        }
        while true {
            guard let key = string(), index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            guard let value = string(), index < bytes.count else { return nil }
            entries.append(TaskItem.ContextEntry(key: key, value: value))
            let separator = bytes[index]
            index += 1
            if separator == UInt8(ascii: "}") { return entries }
            guard separator == UInt8(ascii: ",") else { return nil }
        }
    }
}

extension TaskLineDecoder {
    /// ``decode(_:)`` for every line, in order, read on every core in contiguous runs of lines.
    static func decodeAll(_ lines: [SnapshotLine]) -> [Decoded?] {
        lines.parallelMap { decode($0.bytes) }
    }
}
