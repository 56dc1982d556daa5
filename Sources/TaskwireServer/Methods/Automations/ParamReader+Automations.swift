import JSON
import JSONRPC
import TaskEngine

extension ParamReader {
    /// The required `automation_id`, parsed; text that is no automation id is 404 `automation_not_found` from
    /// ``finish()``, as for ``taskID()``.
    mutating func automationID() throws(ResponseError) -> AutomationID {
        let text = try required("automation_id", as: String.self)
        guard let id = AutomationID(text) else {
            deferError(EngineError.automationNotFound(text).responseError)
            return AutomationID(raw: 0)
        }
        return id
    }

    /// `name`, `trigger`, `action` and `enabled` of `automations.create` and `automations.update`.
    mutating func automation() throws(ResponseError) -> NewAutomation {
        var input = NewAutomation()
        input.name = try notNull("name")
        input.trigger = try notNull("trigger", as: JSONObject.self)
        input.action = try notNull("action", as: JSONObject.self)
        input.enabled = try notNull("enabled")
        return input
    }
}
