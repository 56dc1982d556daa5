import JSON
import TaskEngine

/// `tasks.watch` and `tasks.unwatch`: add or remove a watcher (the caller unless `user_id` is given).
enum WatchTask {
    /// `tasks.watch`. Idempotent: watching a task already watched changes nothing.
    static func watchDeclaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("tasks.watch", rateLimit: "update", readOnly: false, destructive: false, idempotent: true) {
            try await handle($0, $1, engine: engine, watching: true)
        }
    }

    /// `tasks.unwatch`. Idempotent: unwatching a task not watched changes nothing.
    static func unwatchDeclaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "tasks.unwatch", rateLimit: "update", readOnly: false, destructive: false, idempotent: true
        ) { try await handle($0, $1, engine: engine, watching: false) }
    }

    static func handle(
        _ params: JSONValue?, _ context: RequestContext, engine: Engine, watching: Bool
    ) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.taskID()
        let user = try reader.optional("user_id", as: UserID.self)
        try reader.finish()
        let committed =
            watching
            ? try await engine.watch(id, userID: user, by: context.caller)
            : try await engine.unwatch(id, userID: user, by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}
