import JSON
import TaskEngine

/// `notifications.get_config`: the settings that apply to the caller (admins: any user, or the default),
/// and whether they are the user's own or inherited from the default. Never shows a webhook secret.
enum GetNotificationConfig {
    /// Read-only; counts against the `read` limit.
    static func declaration(engine: Engine) -> MethodDeclaration {
        MethodDeclaration(
            "notifications.get_config", rateLimit: "read", readOnly: true, destructive: false, idempotent: true
        ) { try await handle($0, $1, engine: engine) }
    }

    static func handle(_ params: JSONValue?, _ context: RequestContext, engine: Engine) async throws -> Reply {
        var reader = try ParamReader(params)
        let target = try reader.notificationTarget()
        try reader.finish()
        return Reply(try await engine.notificationConfig(for: target, by: context.caller).json)
    }
}
