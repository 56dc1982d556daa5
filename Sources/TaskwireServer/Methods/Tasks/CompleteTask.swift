import JSON
import TaskEngine

/// `tasks.complete`: completes an `in_progress` task with an optional resolution, time and outcomes.
enum CompleteTask {
    /// Idempotent: a completed task is no longer `in_progress`, so completing it again is refused.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("tasks.complete", rateLimit: "update", readOnly: false, destructive: false, idempotent: true)
        {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let id = try reader.taskID()
        let ifVersion = try reader.ifVersion()
        let completion = Completion(
            resolution: try reader.optional("resolution"),
            timeSpentMinutes: try reader.optional("time_spent_minutes"),
            outcomes: try reader.optional("outcomes")
        )
        try reader.finish()
        let committed = try await engine.complete(id, completion, ifVersion: ifVersion, by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}
