import JSON
import TaskEngine

/// `tasks.comments.list`: a page of a task's comments, oldest first, authors expanded.
enum ListComments {
    /// Read-only; counts against the `read` limit.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "tasks.comments.list", rateLimit: "read", readOnly: true, destructive: false, idempotent: true
        ) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.taskID()
        let page = try reader.optional("page", as: Int.self) ?? 1
        let limit = try reader.optional("limit", as: Int.self) ?? 20
        try reader.finish()
        let comments = try await engine.comments(id, page: page, limit: limit, for: context.caller)
        return Reply(comments.json(directory: engine.directory))
    }
}
