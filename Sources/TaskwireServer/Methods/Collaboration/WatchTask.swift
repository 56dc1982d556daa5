import JSON
import TaskEngine

/// `tasks.watch` and `tasks.unwatch`: add or remove a watcher (the caller unless `user_id` is given).
enum WatchTask {
    static let watchName = "tasks.watch"
    static let unwatchName = "tasks.unwatch"

    static func handle(
        _ params: JSONValue?, _ context: RequestContext, engine: Engine, watching: Bool
    ) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.taskID()
        let user = try reader.optional("user_id", as: String.self)
        try reader.finish()
        let committed =
            watching
            ? try await engine.watch(id, userID: user, by: context.caller)
            : try await engine.unwatch(id, userID: user, by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}
