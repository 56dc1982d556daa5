import JSON
import JSONRPC
package import TaskEngine

/// Which feed events a subscription or page wants: `types` and the `filter` members of `events.subscribe`.
///
/// Every member given must match (and `tags` matches a task carrying any of the tags listed): `task_id`
/// the event's task, `assignee` the task's assignee after the change, `workflow_id` the task's workflow
/// (``FeedEvent/workflowID``), `bot_id` the task's `context.bot_id`.
package struct EventFilter: Sendable {
    package var types: Set<FeedEventType>?
    package var taskID: TaskID?
    package var assignee: String?
    package var workflowID: String?
    package var tags: [String] = []
    package var botID: String?

    package init() {}

    /// Reads `types` and `filter` from params; unknown filter members and types are -32602.
    init(reading reader: inout ParamReader) throws(ResponseError) {
        types = try Self.types(reading: &reader)
        guard let raw = reader.value("filter") else { return }
        guard case .object(let object) = raw else {
            throw .invalidParams("Field filter must be an object.", field: "filter")
        }
        var filter = try ParamReader(.object(object))
        if let text = try filter.optional("task_id", as: String.self) {
            guard let id = TaskID(text) else {
                throw .invalidParams("Field filter.task_id is not a task id.", field: "filter.task_id")
            }
            taskID = id
        }
        assignee = try filter.optional("assignee")
        workflowID = try filter.optional("workflow_id")
        tags = try filter.stringList("tags")
        botID = try filter.optional("bot_id")
        do { try filter.finish() } catch {
            throw .invalidParams(error.message, field: error.data?["field"]?.stringValue.map { "filter." + $0 })
        }
    }

    /// Reads `types`: a list of feed types, each one the server knows.
    static func types(reading reader: inout ParamReader) throws(ResponseError) -> Set<FeedEventType>? {
        guard reader.contains("types"), reader.value("types") != nil else { return nil }
        let names = try reader.stringList("types")
        var types = Set<FeedEventType>()
        for name in names {
            let type = FeedEventType(rawValue: name)
            guard FeedEventType.all.contains(type) else {
                throw .invalidParams("Unknown event type \(name).", field: "types")
            }
            types.insert(type)
        }
        return types
    }

    /// Whether `event` passes every member given.
    package func matches(_ event: FeedEvent) -> Bool {
        if let types, !types.contains(event.type) { return false }
        if let taskID, event.taskID != taskID { return false }
        if let assignee, event.task?.assignee?.text != assignee { return false }
        if let workflowID, event.workflowID != workflowID { return false }
        if !tags.isEmpty, !(event.task?.tags.contains { tags.contains($0) } ?? false) { return false }
        if let botID, event.botID != botID { return false }
        return true
    }
}
