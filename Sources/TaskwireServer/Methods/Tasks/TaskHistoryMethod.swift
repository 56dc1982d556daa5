import JSON
import TaskEngine

/// `tasks.history`: every change of a task in commit order, also after the task was deleted.
enum TaskHistoryMethod {
    static let name = "tasks.history"

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.taskID()
        try reader.finish()
        return Reply(try await engine.history(id, for: context.caller).json)
    }
}
