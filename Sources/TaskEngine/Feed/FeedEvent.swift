package import JSON

/// One event of the public feed, derived from a committed journal event: what changed, who did it, and the
/// object as that commit left it.
///
/// `{id, seq, type, at, actor, subject, object, changes}`, plus `comment`, `attachment` or `watcher` for
/// collaboration events. `object` is the task after this commit (not the current task, which may be
/// newer); `changes` is the commit's `{field: {old, new}}`, the same in every feed event of one commit.
package struct FeedEvent: Sendable, Equatable {
    /// Where the event sits in the feed; its text is the event's `id`.
    package var cursor: FeedCursor
    package var type: FeedEventType
    /// The journal event it was derived from.
    package var source: Event
    /// The task after the commit, for events of a task.
    package var task: TaskItem?

    package init(cursor: FeedCursor, type: FeedEventType, source: Event, task: TaskItem?) {
        self.cursor = cursor
        self.type = type
        self.source = source
        self.task = task
    }

    /// Every feed event of one committed journal event, in feed order: none for internal events.
    ///
    /// - Parameter task: the task as the commit left it (events of a task).
    package static func events(of event: Event, task: TaskItem?) -> [FeedEvent] {
        guard !event.isInternal else { return [] }
        let types = event.type.domain.feedTypes(of: event, task: task)
        return types.enumerated().map { offset, type in
            FeedEvent(cursor: FeedCursor(seq: event.seq, index: UInt16(offset)), type: type, source: event, task: task)
        }
    }

    /// The feed event id (the cursor's text).
    package var id: String { cursor.description }

    /// The task id of the event's subject, when it concerns a task.
    package var taskID: TaskID? { source.taskID }

    /// The workflow the event concerns: its subject, or the workflow whose step its task is (the
    /// `workflow_id` filter reads only this).
    package var workflowID: String? {
        if case .workflow(let id) = source.subject { return id.description }
        return task?.workflowID?.description
    }

    /// The task's `context.bot_id`, when it has one.
    package var botID: String? { task?.context.first { $0.key == "bot_id" }?.value }

    /// `{type: user|agent|automation|system, user_id, agent_id?}`: `agent` when an agent acted on behalf of
    /// the user, `system` for the built-in `system` user.
    package var actorJSON: JSONValue {
        // A task an automation created carries the firing in the record's detail (``AutomationFiring``).
        let firing = source.type == .taskCreated ? source.detail : nil
        let kind =
            if firing != nil {
                "automation"
            } else if source.agent != nil {
                "agent"
            } else if source.actor == Caller.system.user {
                "system"
            } else {
                "user"
            }
        var object: JSONObject = ["type": .string(kind), "user_id": source.actor.json]
        object.append("automation_id", ifPresent: firing?["automation_id"])
        object.append("agent_id", ifPresent: source.agent.map(\.json))
        return .object(object)
    }

    /// The subject as `{type, id}` (`{"type": "task", "id": "tsk_…"}`).
    package var subjectJSON: JSONValue {
        let kind =
            switch source.subject {
            case .task: "task"
            case .user: "user"
            case .token: "token"
            case .workflow: "workflow"
            case .template: "template"
            case .automation: "automation"
            }
        return ["type": .string(kind), "id": .string(source.subject.text)]
    }

    /// The object of a template, automation or workflow event as the record holds it (the whole object
    /// after the change; a workflow's definition and dates, its progress is `workflows.status`); `nil` for
    /// other subjects and for `workflow_step_ready`, which carries its step.
    private var recordedObject: JSONValue? {
        switch source.subject {
        case .template, .automation: source.detail
        case .workflow: source.type.detailKey == "workflow" ? source.detail : nil
        case .task, .user, .token: nil
        }
    }

    /// The event as the feed shows it.
    package var json: JSONValue {
        var object: JSONObject = [
            "id": .string(id),
            "seq": .number(String(source.seq)),
            "type": .string(type.rawValue),
            "at": .string(source.at.rfc3339),
            "actor": actorJSON,
            "subject": subjectJSON,
            "object": task.map { .object($0.feedJSON) } ?? recordedObject ?? .null,
            "changes": .object(source.changes),
        ]
        if let key = source.type.detailKey { object.append(key, ifPresent: source.detail) }
        return .object(object)
    }
}

extension TaskItem {
    /// The task as feed events show it: every field of `tasks.get`, with `assignee` as the plain user id
    /// (a name would be today's, not the commit's) and `deleted`; the reminder marks stay internal.
    var feedJSON: JSONObject { storedJSON }
}
