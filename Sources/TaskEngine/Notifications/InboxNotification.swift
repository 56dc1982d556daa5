package import JSON

/// One notification of one person about one feed event: an entry of their inbox, and what the email and
/// webhook channels deliver.
///
/// Its id is `ntf_` followed by the event's `seq` (16 hexadecimal digits), the feed event's index within
/// its commit (4) and the recipient's position among that event's recipients sorted by user id (4), so a
/// replayed journal derives the same ids, and ids sort by creation time.
package struct InboxNotification: Sendable, Equatable {
    /// `ntf_…`.
    package var id: String
    /// Who it is for.
    package var recipient: UserID
    /// The commit it comes from.
    package var seq: UInt64
    /// The feed event type (`task_assigned`, …).
    package var type: String
    /// The feed event id (`evt_…`).
    package var eventID: String
    package var taskID: TaskID?
    /// The task's title as the change left it.
    package var taskTitle: String?
    /// Who made the change.
    package var actor: UserID
    /// The agent that acted for ``actor``, when one did.
    package var agent: UserID?
    /// One sentence saying what happened.
    package var message: String
    /// The roles through which the event reached the recipient (`assignee`, `watchers`, …).
    package var roles: [String]
    /// The channels it is delivered on.
    package var channels: [String]
    /// Each outside channel's delivery state: `pending`, `delivered` or `failed`.
    package var deliveries: [String: String]
    package var createdAt: Timestamp
    /// When the recipient marked it read; `nil` while unread.
    package var readAt: Timestamp?

    /// The id of a recipient's notification about feed event `index` of commit `seq`.
    static func id(seq: UInt64, index: UInt16, ordinal: Int) -> String {
        func hex(_ value: UInt64, _ digits: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
        }
        return "ntf_" + hex(seq, 16) + hex(UInt64(index), 4) + hex(UInt64(min(ordinal, 0xffff)), 4)
    }

    /// The delivery id of this notification over `channel`: `dlv_` + the notification id's digits + the channel.
    package func deliveryID(channel: String) -> String { "dlv_" + id.dropFirst(4) + "_" + channel }

    /// The notification as `notifications.list` returns it, with `actor` expanded through `names`.
    package func json(actorName: String?) -> JSONValue {
        var actorObject: JSONObject = ["user_id": actor.json]
        actorObject.append("name", actorName.map(JSONValue.string) ?? actor.json)
        var object: JSONObject = [
            "id": .string(id),
            "type": .string(type),
            "event_id": .string(eventID),
            "task_id": taskID.map { .string($0.description) } ?? .null,
            "task_title": taskTitle.map(JSONValue.string) ?? .null,
            "actor": .object(actorObject),
            "agent": agent?.json ?? .null,
            "message": .string(message),
            "roles": .array(roles.map(JSONValue.string)),
            "channels": .array(channels.map(JSONValue.string)),
        ]
        object.append(
            "deliveries",
            .object(JSONObject(deliveries.sorted { $0.key < $1.key }.map { (key: $0.key, value: .string($0.value)) })))
        object.append("created_at", .string(createdAt.rfc3339))
        object.append("read", .bool(readAt != nil))
        object.append("read_at", readAt.map { .string($0.rfc3339) } ?? .null)
        return .object(object)
    }

    /// The notification as snapshots keep it.
    var storedJSON: JSONObject {
        var object = json(actorName: nil).objectValue ?? [:]
        object["actor"] = actor.json
        object.append("user_id", recipient.json)
        object.append("seq", .number(String(seq)))
        return object
    }

    /// Reads ``storedJSON`` back.
    init(stored object: JSONObject) throws(EngineError) {
        guard let id = object["id"]?.stringValue, let recipient = object["user_id"]?.stringValue,
            let seq = object["seq"].flatMap({ value -> UInt64? in
                if case .number(let text) = value { return UInt64(text) }
                return nil
            }),
            let type = object["type"]?.stringValue, let eventID = object["event_id"]?.stringValue,
            let actor = object["actor"]?.stringValue, let message = object["message"]?.stringValue,
            let createdAt = object["created_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        else { throw .damaged("a stored notification lacks a required member") }
        self.id = id
        self.recipient = UserID(recipient)
        self.seq = seq
        self.type = type
        self.eventID = eventID
        self.taskID = object["task_id"]?.stringValue.flatMap(TaskID.init)
        self.taskTitle = object["task_title"]?.stringValue
        self.actor = UserID(actor)
        self.agent = object["agent"]?.stringValue.map { UserID($0) }
        self.message = message
        self.roles = object["roles"]?.arrayValue?.compactMap(\.stringValue) ?? []
        self.channels = object["channels"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var deliveries: [String: String] = [:]
        for member in object["deliveries"]?.objectValue?.members ?? [] {
            if let state = member.value.stringValue { deliveries[member.key] = state }
        }
        self.deliveries = deliveries
        self.createdAt = createdAt
        self.readAt = object["read_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
    }

    init(
        id: String, recipient: UserID, seq: UInt64, type: String, eventID: String, taskID: TaskID?,
        taskTitle: String?, actor: UserID, agent: UserID?, message: String, roles: [String], channels: [String],
        createdAt: Timestamp
    ) {
        self.id = id
        self.recipient = recipient
        self.seq = seq
        self.type = type
        self.eventID = eventID
        self.taskID = taskID
        self.taskTitle = taskTitle
        self.actor = actor
        self.agent = agent
        self.message = message
        self.roles = roles
        self.channels = channels
        self.deliveries = [:]
        for channel in channels where channel != "in_app" { deliveries[channel] = "pending" }
        self.createdAt = createdAt
        self.readAt = nil
    }
}
