import JSON
import TaskEngine

/// `tasks.history`: every change of a task in commit order, also after the task was deleted.
enum TaskHistoryMethod {
    /// Read-only; counts against the `read` limit.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("tasks.history", rateLimit: "read", readOnly: true, destructive: false, idempotent: true) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.taskID()
        try reader.finish()
        return Reply(try await engine.history(id, for: context.caller).json)
    }
}
