package import JSON
package import TaskStore

/// Every way an engine call can fail. Exhaustive, so a new case cannot ship without a wire mapping.
///
/// Each case knows its stable machine name (``name``, the contract's `data.error`), a human sentence
/// (``message``) and structured details; the server maps the case to a numeric code in one place.
package enum EngineError: Error, Sendable, Equatable {
    /// No live task has this id (never existed, or deleted).
    case taskNotFound(String)
    /// A param failed validation. `error` is `invalid_params` or a more specific name
    /// (`invalid_priority`, `invalid_due_date`).
    case invalidField(field: String, error: String, message: String)
    /// The status machine forbids this move.
    case invalidTransition(taskID: String, from: TaskStatus, to: TaskStatus)
    /// `if_version` did not match the task's current version; nothing changed.
    case versionConflict(taskID: String, current: Int, expected: Int)
    /// The caller's idempotency key was used before with different params.
    case idempotencyConflict(key: String, taskID: String)
    /// The caller may not do this (see ``AccessPolicy``).
    case permissionDenied(String)
    /// No user has this id.
    case userNotFound(UserID)
    /// No token has this id.
    case tokenNotFound(String)
    /// A token that does not log in (unknown, expired or revoked), or a connection whose token stopped working.
    case unauthorized(String)
    /// No attachment of a live task has this id (never existed, deleted, or its task was deleted).
    case attachmentNotFound(String)
    /// Content over its limit (attachment bytes over `--max-attachment-bytes`); `limit` is in bytes.
    case tooLarge(field: String, limit: Int)
    // Workflows
    /// No workflow has this id.
    case workflowNotFound(String)
    /// A workflow definition that cannot run: duplicate or unknown step names, a dependency cycle, too many
    /// steps (-32602 `invalid_workflow`); `details` names what is wrong (`cycle`, `step`, `field`).
    case invalidWorkflow(message: String, details: JSONObject)
    /// A workflow step's task cannot start or complete while steps it depends on are not completed.
    case stepBlocked(taskID: String, to: TaskStatus, blockedBy: [String])
    /// The workflow's state forbids the change (cancelling it twice, changing a cancelled one, deleting a
    /// step's task while its workflow runs): 409 `invalid_transition`.
    case workflowConflict(message: String, details: JSONObject)
    /// No live template has this id (never existed, or deleted).
    case templateNotFound(String)
    /// A live template already has the id the client chose.
    case templateExists(String)
    /// A template placeholder (`{{name}}`) has no variable in the call; the template is unchanged.
    case missingVariable(String)
    /// No live automation has this id (never existed, or deleted).
    case automationNotFound(String)
    /// An event feed cursor older than the feed's retention; `oldest` is the oldest cursor still served.
    case cursorExpired(oldest: String)
    /// The store refused the write; nothing changed.
    case unavailable(StoreError)
    /// A journal record, snapshot or import document could not be read.
    case damaged(String)

    /// The stable string code (`data.error`).
    package var name: String {
        switch self {
        case .taskNotFound: "task_not_found"
        case .invalidField(_, let error, _): error
        case .invalidTransition: "invalid_transition"
        case .versionConflict: "version_conflict"
        case .idempotencyConflict: "already_exists"
        case .permissionDenied: "permission_denied"
        case .userNotFound: "user_not_found"
        case .tokenNotFound: "token_not_found"
        case .unauthorized: "unauthorized"
        case .attachmentNotFound: "attachment_not_found"
        case .tooLarge: "too_large"
        case .cursorExpired: "cursor_expired"
        case .unavailable, .damaged: "unavailable"
        case .workflowNotFound: "workflow_not_found"
        case .invalidWorkflow: "invalid_workflow"
        case .stepBlocked, .workflowConflict: "invalid_transition"
        case .templateNotFound: "template_not_found"
        case .templateExists: "already_exists"
        case .missingVariable: "missing_variable"
        case .automationNotFound: "automation_not_found"
        }
    }

    /// One human sentence.
    package var message: String {
        switch self {
        case .taskNotFound(let id): "Task \(id) not found"
        case .invalidField(_, _, let message): message
        case .invalidTransition(let id, let from, let to):
            "Task \(id) cannot move from \(from.rawValue) to \(to.rawValue)"
        case .versionConflict(let id, let current, let expected):
            "Task \(id) is at version \(current), not \(expected)"
        case .idempotencyConflict(let key, let id):
            "Idempotency key \(key) was already used for task \(id) with different params"
        case .permissionDenied(let message): message
        case .userNotFound(let id): "User \(id) not found"
        case .tokenNotFound(let id): "Token \(id) not found"
        case .unauthorized(let message): message
        case .attachmentNotFound(let id): "Attachment \(id) not found"
        case .tooLarge(_, let limit): "The attachment is larger than the limit of \(limit) bytes"
        case .cursorExpired(let oldest):
            "The cursor is older than the event feed keeps; resume from \(oldest) or later"
        case .unavailable(let error) where error.code == .readOnly: "\(error.message); nothing was changed"
        case .unavailable: "The task store is unavailable; nothing was changed"
        case .damaged(let detail): "The task data is damaged: \(detail)"
        case .workflowNotFound(let id): "Workflow \(id) not found"
        case .invalidWorkflow(let message, _), .workflowConflict(let message, _): message
        case .stepBlocked(let id, let to, let blockedBy):
            "Task \(id) cannot move to \(to.rawValue) while it waits for "
                + (blockedBy.count == 1 ? "step " : "steps ") + blockedBy.joined(separator: ", ")
        case .templateNotFound(let id): "Template \(id) not found"
        case .templateExists(let id): "Template \(id) already exists"
        case .missingVariable(let name): "The template uses {{\(name)}} but variables has no \(name)"
        case .automationNotFound(let id): "Automation \(id) not found"
        }
    }

    /// Machine-readable details that go beside `error` in `data`.
    package var details: JSONObject {
        switch self {
        case .taskNotFound(let id): ["task_id": .string(id)]
        case .invalidField(let field, _, _): ["field": .string(field)]
        case .invalidTransition(let id, let from, let to):
            ["task_id": .string(id), "from": .string(from.rawValue), "to": .string(to.rawValue)]
        case .versionConflict(let id, let current, let expected):
            ["task_id": .string(id), "current_version": .int(current), "expected_version": .int(expected)]
        case .idempotencyConflict(let key, let id): ["idempotency_key": .string(key), "task_id": .string(id)]
        case .userNotFound(let id): ["user_id": id.json]
        case .tokenNotFound(let id): ["token_id": .string(id)]
        case .attachmentNotFound(let id): ["attachment_id": .string(id)]
        case .tooLarge(let field, let limit): ["field": .string(field), "max_bytes": .int(limit)]
        case .cursorExpired(let oldest): ["oldest_cursor": .string(oldest)]
        case .permissionDenied, .unauthorized, .unavailable, .damaged: [:]
        case .workflowNotFound(let id): ["workflow_id": .string(id)]
        case .invalidWorkflow(_, let details), .workflowConflict(_, let details): details
        case .stepBlocked(let id, let to, let blockedBy):
            ["task_id": .string(id), "to": .string(to.rawValue), "blocked_by": .array(blockedBy.map(JSONValue.string))]
        case .templateNotFound(let id), .templateExists(let id): ["template_id": .string(id)]
        case .missingVariable(let name): ["field": "variables", "variable": .string(name)]
        case .automationNotFound(let id): ["automation_id": .string(id)]
        }
    }

    /// The error as the spec's error body: `{error, message, …details}`.
    package var json: JSONValue {
        var object: JSONObject = ["error": .string(name), "message": .string(message)]
        for member in details.members { object.append(member.key, member.value) }
        return .object(object)
    }

    package static func == (lhs: EngineError, rhs: EngineError) -> Bool {
        lhs.json == rhs.json
    }

    /// A -32602 `invalid_params` error naming the field.
    static func invalid(_ field: String, _ message: String) -> EngineError {
        .invalidField(field: field, error: "invalid_params", message: message)
    }
}
