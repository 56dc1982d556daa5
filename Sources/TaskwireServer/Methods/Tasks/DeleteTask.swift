import JSON
import TaskEngine

/// `tasks.delete`: removes a task from `tasks.get` and `tasks.list`; its history stays readable.
enum DeleteTask {
    /// Destructive: the task leaves `tasks.get` and `tasks.list` for good; deleting it again is a 404.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("tasks.delete", rateLimit: "update", readOnly: false, destructive: true, idempotent: true) {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.taskID()
        let ifVersion = try reader.ifVersion()
        try reader.finish()
        let committed = try await engine.delete(id, ifVersion: ifVersion, by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}
