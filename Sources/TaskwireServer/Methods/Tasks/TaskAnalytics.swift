import JSON
import TaskEngine

/// `tasks.analytics`: task performance figures over the live tasks a time window and filters select.
enum TaskAnalytics {
    /// Read-only; counts against the `list` limit, like `tasks.list`.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("tasks.analytics", rateLimit: "list", readOnly: true, destructive: false, idempotent: true) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        var query = AnalyticsQuery()
        query.from = try reader.time("from")
        query.to = try reader.time("to")
        query.unassigned = reader.contains("assignee") && reader.value("assignee") == nil
        query.assignee = try reader.optional("assignee")
        query.botID = try reader.optional("bot_id")
        query.tags = try reader.stringList("tags")
        try reader.finish()
        return Reply(try await engine.analytics(query, for: context.caller).json)
    }
}
