import Delivery
import JSON

/// Notifications as the delivery worker builds them, for the channel tests.
enum Samples {
    /// The sender the tests configure.
    static var sender: Mailbox {
        guard let mailbox = Mailbox(displayName: "taskwire", address: "taskwire@example.org") else {
            preconditionFailure("a valid address")
        }
        return mailbox
    }

    static let jane = OutgoingNotification.Person(id: "user456", name: "Jane Smith", email: "jane@example.com")
    static let bob = OutgoingNotification.Person(id: "user789", name: "Bob Jones", email: "bob@example.com")

    /// A task as `tasks.get` returns it.
    static func task(
        id: String = "tsk_038HMF6T94000", title: String = "Fix login bug", status: String = "in_progress",
        priority: String = "high", due: JSONValue = "2024-01-20T17:00:00Z", assignee: JSONValue? = nil
    ) -> JSONValue {
        var object = JSONObject()
        object.append("task_id", .string(id))
        object.append("title", .string(title))
        object.append("status", .string(status))
        object.append(
            "assignee", assignee ?? ["user_id": .string(bob.id), "name": .string(bob.name), "avatar_url": nil])
        object.append("priority", .string(priority))
        object.append("due_date", due)
        return .object(object)
    }

    static func notification(
        type: String = "task_assigned", recipient: OutgoingNotification.Person = bob,
        actor: OutgoingNotification.Person = jane, task: JSONValue? = Samples.task(), comment: JSONValue? = nil,
        changes: JSONValue? = nil, webhook: OutgoingNotification.Webhook? = nil,
        deliveryID: String = "dlv_00000000000000070001"
    ) -> OutgoingNotification {
        OutgoingNotification(
            deliveryID: deliveryID, notificationID: "ntf_00000000000000070001", eventType: type,
            eventID: "evt_00000000000000070001", occurredAt: "2024-01-15T10:05:00Z", recipient: recipient,
            actor: actor, task: task, comment: comment, changes: changes,
            payload: [
                "notification_id": "ntf_00000000000000070001", "type": .string(type), "read": false,
                "task_id": "tsk_038HMF6T94000", "created_at": "2024-01-15T10:05:00Z",
            ],
            webhook: webhook)
    }
}
