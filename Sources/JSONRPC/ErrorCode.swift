/// The numeric error codes taskwire uses: JSON-RPC's own, and HTTP-like codes from the contract.
public enum ErrorCode: Int, Sendable, CaseIterable {
    case parseError = -32700
    case invalidRequest = -32600
    case methodNotFound = -32601
    case invalidParams = -32602
    case internalError = -32603
    /// A request cancelled by `$/cancelRequest` (the LSP code).
    case requestCancelled = -32800
    case unauthorized = 401
    case permissionDenied = 403
    case notFound = 404
    case conflict = 409
    case tooLarge = 413
    case rateLimited = 429
    case unavailable = 503
}
