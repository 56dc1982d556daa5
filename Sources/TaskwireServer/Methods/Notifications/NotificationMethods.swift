import JSONRPC
package import TaskEngine

/// The `notifications.*` methods: configure and read one's settings, list and mark one's inbox.
package enum NotificationMethods {
    /// Every notifications method, on `engine`.
    package static func declarations(engine: Engine) -> [MethodDeclaration] {
        [
            ConfigureNotifications.declaration(engine: engine),
            GetNotificationConfig.declaration(engine: engine),
            ListNotifications.declaration(engine: engine),
            MarkNotificationsRead.declaration(engine: engine),
        ]
    }
}

extension ParamReader {
    /// `user_id` and `default`: whose settings a call concerns (the caller's when neither is given).
    mutating func notificationTarget() throws(ResponseError) -> NotificationTarget {
        let user = try optional("user_id", as: UserID.self)
        let isDefault = try optional("default", as: Bool.self) ?? false
        if isDefault, user != nil {
            throw .invalidParams("Give either user_id or default: true, not both.", field: "default")
        }
        if isDefault { return .serverDefault }
        return user.map(NotificationTarget.user) ?? .caller
    }
}
