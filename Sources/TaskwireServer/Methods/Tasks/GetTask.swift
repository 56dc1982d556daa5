import JSON
import TaskEngine

/// `tasks.get`: the full task, with `assignee` expanded to `{user_id, name, avatar_url}`.
enum GetTask {
    /// Read-only; counts against the `read` limit.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("tasks.get", rateLimit: "read", readOnly: true, destructive: false, idempotent: true) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.taskID()
        try reader.finish()
        return Reply(try await engine.taskDetail(id, for: context.caller))
    }
}
