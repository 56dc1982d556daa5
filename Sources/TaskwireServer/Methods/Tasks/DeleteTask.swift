import JSON
import TaskEngine

/// `tasks.delete`: removes a task from `tasks.get` and `tasks.list`; its history stays readable.
enum DeleteTask {
    static let name = "tasks.delete"

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.taskID()
        let ifVersion = try reader.ifVersion()
        try reader.finish()
        let committed = try await engine.delete(id, ifVersion: ifVersion, by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}
