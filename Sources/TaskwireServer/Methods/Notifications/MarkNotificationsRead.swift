import JSON
import JSONRPC
import TaskEngine

/// `notifications.mark_read`: marks notifications of the caller's inbox read, by id or all of them.
enum MarkNotificationsRead {
    /// Idempotent: marking read notifications again changes nothing.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "notifications.mark_read", rateLimit: "update", readOnly: false, destructive: false, idempotent: true
        ) { try await handle($0, $1, engine: engine) }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let ids = try reader.optional("notification_ids", as: [String].self)
        let all = try reader.optional("all", as: Bool.self)
        try reader.finish()
        switch (ids, all) {
        case (nil, true?):
            let committed = try await engine.markNotificationsRead(nil, by: context.caller)
            return Reply(committed.value.json, after: committed.ticket)
        case (let ids?, nil), (let ids?, false?):
            let committed = try await engine.markNotificationsRead(ids, by: context.caller)
            return Reply(committed.value.json, after: committed.ticket)
        case (_?, true?):
            throw ResponseError.invalidParams("Give either notification_ids or all: true, not both.", field: "all")
        case (nil, _):
            throw ResponseError.invalidParams("Give notification_ids or all: true.", field: "notification_ids")
        }
    }
}
