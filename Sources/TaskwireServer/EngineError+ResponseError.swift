package import JSONRPC
package import TaskEngine

/// The one place that maps engine errors to wire errors: code, message, `data.error` and details.
extension EngineError: ResponseErrorConvertible {
    /// The JSON-RPC error for this engine error.
    package var responseError: ResponseError {
        let code: ErrorCode =
            switch self {
            case .taskNotFound, .userNotFound, .tokenNotFound, .attachmentNotFound: .notFound
            case .invalidField: .invalidParams
            case .invalidTransition, .versionConflict, .idempotencyConflict, .cursorExpired: .conflict
            case .permissionDenied: .permissionDenied
            case .unauthorized: .unauthorized
            case .tooLarge: .tooLarge
            case .unavailable, .damaged: .unavailable
            case .workflowNotFound: .notFound
            case .invalidWorkflow: .invalidParams
            case .stepBlocked, .workflowConflict: .conflict
            case .templateNotFound, .automationNotFound: .notFound
            case .templateExists: .conflict
            case .missingVariable: .invalidParams
            }
        return ResponseError(code: code, message: message, error: name, details: details)
    }
}
