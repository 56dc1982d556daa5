import JSON
import TaskEngine

/// `notifications.list`: the caller's inbox, newest first, with the unread count.
enum ListNotifications {
    /// Read-only; counts against the `read` limit.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "notifications.list", rateLimit: "read", readOnly: true, destructive: false, idempotent: true
        ) { try await handle($0, $1, engine: engine) }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let unreadOnly = try reader.optional("unread_only", as: Bool.self) ?? false
        let page: Int = try reader.optional("page") ?? 1
        let limit: Int = try reader.optional("limit") ?? 20
        try reader.finish()
        return Reply(
            try await engine.notifications(unreadOnly: unreadOnly, page: page, limit: limit, for: context.caller).json)
    }
}
