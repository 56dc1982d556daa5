public import JSON

/// The `error` member of a JSON-RPC response: a numeric code, one human sentence, and structured data.
///
/// taskwire always fills `data.error` with a stable machine-readable string (`task_not_found`) and may add
/// details such as `data.field`.
public struct ResponseError: Error, Sendable, Hashable {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// An error whose `data` is `{"error": name}` plus the given details.
    public init(code: ErrorCode, message: String, error name: String, details: JSONObject = [:]) {
        var data: JSONObject = ["error": .string(name)]
        for member in details.members { data[member.key] = member.value }
        self.init(code: code.rawValue, message: message, data: .object(data))
    }

    /// The stable string code in `data.error`, when present.
    public var name: String? { data?["error"]?.stringValue }

    /// The error as the JSON object that goes into a response.
    public var json: JSONValue {
        var object: JSONObject = ["code": .int(code), "message": .string(message)]
        object.append("data", ifPresent: data)
        return .object(object)
    }

    /// -32700: the bytes were not JSON.
    public static func parseError(_ detail: String) -> ResponseError {
        ResponseError(code: .parseError, message: "Parse error: \(detail).", error: "parse_error")
    }

    /// -32600: the JSON is not a valid request.
    public static func invalidRequest(_ detail: String) -> ResponseError {
        ResponseError(code: .invalidRequest, message: "Invalid request: \(detail).", error: "invalid_request")
    }

    /// -32601: no such method.
    public static func methodNotFound(_ method: String) -> ResponseError {
        ResponseError(
            code: .methodNotFound,
            message: "Method \(method) not found.",
            error: "method_not_found",
            details: ["method": .string(method)]
        )
    }

    /// -32602 with `data.error` `invalid_params` (or a more specific name) and the offending field.
    public static func invalidParams(
        _ message: String, field: String? = nil, error name: String = "invalid_params"
    )
        -> ResponseError
    {
        var details = JSONObject()
        details.append("field", ifPresent: field.map(JSONValue.string))
        return ResponseError(code: .invalidParams, message: message, error: name, details: details)
    }

    /// -32603: something unexpected; the detail belongs in the log, not on the wire.
    public static let internalError = ResponseError(
        code: .internalError,
        message: "Internal error.",
        error: "internal_error"
    )

    /// -32800: the request was cancelled by `$/cancelRequest` before it finished.
    public static let requestCancelled = ResponseError(
        code: .requestCancelled,
        message: "Request cancelled.",
        error: "request_cancelled"
    )
}

/// An error that knows how it appears on the wire. Errors that do not conform become -32603.
public protocol ResponseErrorConvertible: Error {
    /// The JSON-RPC error object for this error.
    var responseError: ResponseError { get }
}

extension ResponseError: ResponseErrorConvertible {
    public var responseError: ResponseError { self }
}
