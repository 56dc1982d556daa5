public import JSON

/// One JSON-RPC message received from a client, already checked against the JSON-RPC 2.0 rules.
public enum Incoming: Sendable, Hashable {
    /// A call that expects a reply with the same id.
    case request(id: RequestID, method: String, params: JSONValue?)
    /// A call without an `id`: it never gets a reply, not even an error.
    case notification(method: String, params: JSONValue?)
    /// A response sent by the client (the server makes no calls to clients yet, so it is ignored).
    case response(id: RequestID?)
    /// Something that is not a valid request; it is answered with `error` and `id` (null when unreadable).
    case invalid(id: RequestID, error: ResponseError)

    /// Classifies one decoded JSON value (a single message or one member of a batch).
    public init(_ value: JSONValue) {
        guard case .object(let object) = value else {
            self = .invalid(id: .null, error: .invalidRequest("a request must be a JSON object"))
            return
        }
        // The id is read first so that every later complaint can still be answered with it.
        var id: RequestID?
        if let rawID = object["id"] {
            guard let valid = RequestID(rawID) else {
                self = .invalid(
                    id: .null,
                    error: .invalidRequest("id must be a string, a number or null, not \(rawID.typeName)")
                )
                return
            }
            id = valid
        }
        guard case .string("2.0")? = object["jsonrpc"] else {
            self = .invalid(id: id ?? .null, error: .invalidRequest("jsonrpc must be exactly \"2.0\""))
            return
        }
        guard let rawMethod = object["method"] else {
            if object["result"] != nil || object["error"] != nil {
                self = .response(id: id)
            } else {
                self = .invalid(id: id ?? .null, error: .invalidRequest("method is missing"))
            }
            return
        }
        guard case .string(let method) = rawMethod else {
            self = .invalid(id: id ?? .null, error: .invalidRequest("method must be a string"))
            return
        }
        let params = object["params"]
        switch params {
        case nil, .object?, .array?: break
        default:
            self = .invalid(id: id ?? .null, error: .invalidRequest("params must be an object or an array"))
            return
        }
        if let id {
            self = .request(id: id, method: method, params: params)
        } else {
            self = .notification(method: method, params: params)
        }
    }
}
