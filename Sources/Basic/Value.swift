package import JSON

/// A value a BASIC script computes with: a number, a string, a boolean, or nothing.
///
/// Numbers are doubles, as in most BASICs; `NOW()` is epoch seconds with a fraction. On the wire a number
/// without a fraction is written as an integer.
package enum Value: Sendable, Equatable {
    case number(Double)
    case string(String)
    case boolean(Bool)
    /// `NULL`: no value; a task keyword sends it as JSON `null` (`SET TASK ASSIGNEE id, NULL` unassigns).
    case null

    /// The text `TALK` and `&` show: numbers without a needless `.0`, `TRUE`/`FALSE`, and nothing for
    /// `NULL`.
    package var text: String {
        switch self {
        case .number(let number):
            if abs(number) < 1e15, let exact = Int(exactly: number) { return String(exact) }
            return "\(number)"
        case .string(let string): return string
        case .boolean(let flag): return flag ? "TRUE" : "FALSE"
        case .null: return ""
        }
    }

    /// A word for the type, for error messages.
    package var typeName: String {
        switch self {
        case .number: "a number"
        case .string: "a string"
        case .boolean: "a boolean"
        case .null: "NULL"
        }
    }

    /// The value as JSON.
    package var json: JSONValue {
        switch self {
        case .number(let number): .double(number)
        case .string(let string): .string(string)
        case .boolean(let flag): .bool(flag)
        case .null: .null
        }
    }

    /// The BASIC value of a JSON scalar; arrays and objects have none.
    package init?(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .boolean(flag)
        case .string(let string): self = .string(string)
        case .number:
            guard let number = json.doubleValue, number.isFinite else { return nil }
            self = .number(number)
        case .array, .object: return nil
        }
    }
}
