package import JSON
package import JSONRPC

/// Reads a method's named params one field at a time and rejects any field nobody asked for.
///
/// Every handler reads the fields it knows and ends with ``finish()``, so a typo such as `prioity` is a
/// -32602 naming the field instead of being ignored. Type errors name the field too.
package struct ParamReader {
    private let object: JSONObject
    private var consumed: Set<String> = []
    /// The first error found while reading that ``finish()`` reports after the unknown fields: an id that
    /// does not parse answers "not found" at the point the engine would have, after every param check.
    private var deferred: ResponseError?

    /// A reader over a request's `params`; absent params read as an empty object, an array is refused.
    package init(_ params: JSONValue?) throws(ResponseError) {
        switch params {
        case nil, .null?: object = [:]
        case .object(let object)?: self.object = object
        default:
            throw .invalidParams("Params must be an object of named fields.", field: nil)
        }
    }

    /// The raw value of a field, marking it as read; `null` counts as absent.
    package mutating func value(_ key: String) -> JSONValue? {
        consumed.insert(key)
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    /// Whether the client sent the field at all, even as `null` (for "clear this field" updates).
    package func contains(_ key: String) -> Bool { object[key] != nil }

    /// An optional field of a given type.
    package mutating func optional<Value: ParamValue>(
        _ key: String, as type: Value.Type = Value.self
    )
        throws(ResponseError) -> Value?
    {
        guard let raw = value(key) else { return nil }
        guard let decoded = Value(param: raw) else {
            throw .invalidParams(
                "Field \(key) must be \(Value.expectation), not \(raw.typeName).",
                field: key
            )
        }
        return decoded
    }

    /// A required field of a given type.
    package mutating func required<Value: ParamValue>(
        _ key: String, as type: Value.Type = Value.self
    )
        throws(ResponseError) -> Value
    {
        guard let value = try optional(key, as: type) else {
            throw .invalidParams("Field \(key) is required.", field: key)
        }
        return value
    }

    /// Keeps `error` for ``finish()`` to throw once every field was read and checked.
    package mutating func deferError(_ error: ResponseError) {
        if deferred == nil { deferred = error }
    }

    /// Refuses the first field that no read asked for, then throws the first deferred error.
    package func finish() throws(ResponseError) {
        for key in object.keys where !consumed.contains(key) {
            throw .invalidParams("Unknown field \(key).", field: key)
        }
        if let deferred { throw deferred }
    }
}

/// A Swift type that a param field can be read as.
package protocol ParamValue {
    /// Converts a JSON value, or returns `nil` when it has the wrong type.
    init?(param: JSONValue)
    /// What the field must be, for the error message ("a string").
    static var expectation: String { get }
}

extension String: ParamValue {
    package init?(param: JSONValue) {
        guard let string = param.stringValue else { return nil }
        self = string
    }
    package static var expectation: String { "a string" }
}

extension Int: ParamValue {
    package init?(param: JSONValue) {
        guard let int = param.intValue else { return nil }
        self = int
    }
    package static var expectation: String { "an integer" }
}

extension Double: ParamValue {
    package init?(param: JSONValue) {
        guard let double = param.doubleValue else { return nil }
        self = double
    }
    package static var expectation: String { "a number" }
}

extension Bool: ParamValue {
    package init?(param: JSONValue) {
        guard let bool = param.boolValue else { return nil }
        self = bool
    }
    package static var expectation: String { "a boolean" }
}

extension JSONObject: ParamValue {
    package init?(param: JSONValue) {
        guard let object = param.objectValue else { return nil }
        self = object
    }
    package static var expectation: String { "an object" }
}

extension JSONValue: ParamValue {
    package init?(param: JSONValue) { self = param }
    package static var expectation: String { "a JSON value" }
}

extension Array: ParamValue where Element: ParamValue {
    package init?(param: JSONValue) {
        guard let array = param.arrayValue else { return nil }
        var elements: [Element] = []
        elements.reserveCapacity(array.count)
        for value in array {
            guard let element = Element(param: value) else { return nil }
            elements.append(element)
        }
        self = elements
    }
    package static var expectation: String {
        let noun = Element.expectation.split(separator: " ", maxSplits: 1).last.map(String.init) ?? "value"
        return "an array of \(noun)s"
    }
}
