import Foundation
import JSON
import JSONRPC
import TaskEngine

/// `notifications.configure`: changes the caller's notification settings (admins: any user's, or the
/// server-wide default with `default: true`); members left out keep their value.
enum ConfigureNotifications {
    /// Not idempotent: a webhook given without a secret gets a new generated secret on every call.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "notifications.configure", rateLimit: "update", readOnly: false, destructive: false, idempotent: false
        ) { try await handle($0, $1, engine: engine) }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        var settings = NotificationSettings()
        settings.events = try reader.optional("events", as: [String].self)
        settings.channels = try reader.optional("channels", as: [String].self)
        settings.recipients = try reader.optional("recipients", as: [String].self)
        if reader.contains("remind_before_minutes") {
            settings.remindBeforeMinutes =
                try reader.optional("remind_before_minutes", as: Int.self).map { .set($0) } ?? .clear
        }
        if reader.contains("webhook") {
            if let object = try reader.optional("webhook", as: JSONObject.self) {
                var hook = try ParamReader(.object(object))
                let url: String
                let secret: String?
                do {
                    url = try hook.required("url")
                    secret = try hook.optional("secret")
                    try hook.finish()
                } catch {
                    let field = error.data?["field"]?.stringValue ?? "url"
                    throw ResponseError.invalidParams(
                        error.message.replacingFirstField(with: "webhook."), field: "webhook." + field)
                }
                settings.webhook = .set(NotificationSettings.WebhookInput(url: url, secret: secret))
            } else {
                settings.webhook = .clear
            }
        }
        let target = try reader.notificationTarget()
        try reader.finish()
        let committed = try await engine.configureNotifications(settings, for: target, by: context.caller)
        return Reply(committed.value.json, after: committed.ticket)
    }
}

extension String {
    /// The message with its first "Field x" or "field x" naming `prefix` + x.
    fileprivate func replacingFirstField(with prefix: String) -> String {
        for word in ["Field ", "field "] {
            if let range = range(of: word) { return replacingCharacters(in: range, with: word + prefix) }
        }
        return self
    }
}
