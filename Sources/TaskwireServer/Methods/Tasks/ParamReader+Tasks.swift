package import JSON
import JSONRPC
package import TaskEngine

extension ParamReader {
    /// A time field: RFC 3339 text or a number of Unix epoch seconds; `nil` when absent or `null`.
    mutating func time(_ key: String, error name: String = "invalid_params") throws(ResponseError) -> TimeInput? {
        switch value(key) {
        case nil: return nil
        case .string(let text)?: return .text(text)
        case let number? where number.doubleValue != nil: return number.doubleValue.map(TimeInput.epochSeconds)
        case let other?:
            throw .invalidParams(
                "Field \(key) must be an RFC 3339 time or a number of Unix epoch seconds, not \(other.typeName).",
                field: key, error: name
            )
        }
    }

    /// A field that `null` clears: `nil` when absent, `.some(nil)` when `null`, else the value.
    mutating func clearable<Value: ParamValue>(
        _ key: String, as type: Value.Type = Value.self
    )
        throws(ResponseError) -> Value??
    {
        guard contains(key) else { return nil }
        guard let value = try optional(key, as: type) else { return .some(nil) }
        return .some(value)
    }

    /// A field that may be given but not as `null` (update fields that cannot be cleared).
    mutating func notNull<Value: ParamValue>(
        _ key: String, as type: Value.Type = Value.self
    )
        throws(ResponseError) -> Value?
    {
        if contains(key), value(key) == nil {
            throw .invalidParams("Field \(key) cannot be null.", field: key)
        }
        return try optional(key, as: type)
    }

    /// A list given as an array of strings or as one comma-separated string (`"support,urgent"`).
    mutating func stringList(_ key: String) throws(ResponseError) -> [String] {
        switch value(key) {
        case nil: return []
        case .string(let text)?:
            return text.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        case .array(let elements)?:
            var strings: [String] = []
            for element in elements {
                guard let string = element.stringValue else {
                    throw .invalidParams("Field \(key) must hold only strings.", field: key)
                }
                strings.append(string)
            }
            return strings
        case let other?:
            throw .invalidParams(
                "Field \(key) must be a string or an array of strings, not \(other.typeName).", field: key)
        }
    }

    /// The required `task_id`, parsed. Text that is no task id names no task: ``finish()`` answers it with
    /// 404 `task_not_found` carrying the text as sent, after every param check, just where the engine
    /// answers a well-formed id that does not exist; until then the id read is a stand-in that ``finish()``
    /// never lets reach the engine.
    mutating func taskID() throws(ResponseError) -> TaskID {
        try id("task_id", notFound: EngineError.taskNotFound)
    }

    /// A required attachment id (`attachment_id`), parsed; unparseable text is 404 `attachment_not_found`
    /// from ``finish()``, as for ``taskID()``.
    mutating func attachmentID() throws(ResponseError) -> AttachmentID {
        try id("attachment_id", notFound: EngineError.attachmentNotFound)
    }

    /// A required token id (`token_id`), parsed; unparseable text is 404 `token_not_found` from
    /// ``finish()``, as for ``taskID()``.
    mutating func tokenID() throws(ResponseError) -> TokenID {
        try id("token_id", notFound: EngineError.tokenNotFound)
    }

    /// A required id of one kind under `key`; text that is no such id defers `notFound(text)` to ``finish()``
    /// and reads as a stand-in (raw 0) that never reaches the engine.
    mutating func id<ID: Base32Identifier>(
        _ key: String, notFound: (String) -> EngineError
    ) throws(ResponseError) -> ID {
        let text = try required(key, as: String.self)
        guard let id = ID(text) else {
            deferError(notFound(text).responseError)
            return ID(raw: 0)
        }
        return id
    }

    /// A required user id field. User ids have no format of their own: any string is one, which the engine
    /// then checks where a rule applies (`users.upsert`'s characters), and one nobody has is not found.
    mutating func userID(_ key: String) throws(ResponseError) -> UserID {
        try required(key, as: UserID.self)
    }

    /// The optional `if_version` guard of a write.
    mutating func ifVersion() throws(ResponseError) -> Int? {
        try optional("if_version", as: Int.self)
    }
}

/// A user id param is a string, taken as the id it names.
extension UserID: ParamValue {
    package init?(param: JSONValue) {
        guard let text = param.stringValue else { return nil }
        self.init(text)
    }
    package static var expectation: String { "a string" }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        var slice = self[...]
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
