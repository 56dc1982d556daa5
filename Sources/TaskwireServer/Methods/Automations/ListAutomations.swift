import JSON
import TaskEngine

/// `automations.list`: every automation in creation order, paged like `users.list`.
enum ListAutomations {
    /// Read-only; counts against the `read` limit.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("automations.list", rateLimit: "read", readOnly: true, destructive: false, idempotent: true) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let page: Int = try reader.optional("page") ?? 1
        let limit: Int = try reader.optional("limit") ?? 20
        try reader.finish()
        return Reply(try await engine.automations(page: page, limit: limit, for: context.caller))
    }
}
