import JSON
import TaskEngine

/// `events.publish`: the host reports a conversation event; matching automations create their tasks.
enum PublishEvent {
    /// Idempotent with an `event_id` (the same id fires nothing again), not without one; declared not
    /// idempotent because the id is optional. Counts against `create`: it creates tasks.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration("events.publish", rateLimit: "create", readOnly: false, destructive: false, idempotent: false)
        {
            try await handle($0, $1, engine: engine)
        }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        var input = PublishedEvent(type: try reader.required("type"), value: try reader.required("value"))
        input.context = try reader.optional("context") ?? [:]
        input.eventID = try reader.optional("event_id")
        input.depth = try reader.optional("depth") ?? 0
        try reader.finish()
        let committed = try await engine.publish(input, by: context.caller)
        return Reply(committed.value.json(directory: engine.directory), after: committed.ticket)
    }
}
