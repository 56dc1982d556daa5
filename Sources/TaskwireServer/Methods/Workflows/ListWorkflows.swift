import JSON
import TaskEngine

/// `workflows.list`: workflows oldest first, paged, optionally filtered by status.
enum ListWorkflows {
    /// Read-only; counts against the `list` limit.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("workflows.list", rateLimit: "list", readOnly: true, destructive: false, idempotent: true) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        // `status` is one status or a list of them, as in `tasks.list`.
        var statuses: [String] = []
        if let one = try? reader.optional("status", as: String.self) {
            statuses = [one]
        } else {
            statuses = try reader.optional("status", as: [String].self) ?? []
        }
        let page: Int = try reader.optional("page") ?? 1
        let limit: Int = try reader.optional("limit") ?? 20
        try reader.finish()
        return Reply(try await engine.listWorkflows(statuses: statuses, page: page, limit: limit, for: context.caller))
    }
}
