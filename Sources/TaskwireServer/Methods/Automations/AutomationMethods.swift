package import TaskEngine

/// The `automations.*` methods (create, get, list, update, delete) and `events.publish`.
package enum AutomationMethods {
    /// Every automation method, on `engine`.
    package static func declarations(engine: Engine) -> [MethodDeclaration] {
        [
            CreateAutomation.declaration(engine: engine),
            GetAutomation.declaration(engine: engine),
            ListAutomations.declaration(engine: engine),
            UpdateAutomation.declaration(engine: engine),
            DeleteAutomation.declaration(engine: engine),
            PublishEvent.declaration(engine: engine),
        ]
    }
}
