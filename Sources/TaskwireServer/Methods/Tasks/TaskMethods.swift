package import TaskEngine

/// The `tasks.*` methods (create, get, update, list, complete, delete, history, analytics).
package enum TaskMethods {
    /// Every `tasks.*` method, on `engine`.
    package static func declarations(engine: Engine) -> [MethodDeclaration] {
        [
            CreateTask.declaration(engine: engine),
            GetTask.declaration(engine: engine),
            UpdateTask.declaration(engine: engine),
            ListTasks.declaration(engine: engine),
            CompleteTask.declaration(engine: engine),
            DeleteTask.declaration(engine: engine),
            TaskHistoryMethod.declaration(engine: engine),
            TaskAnalytics.declaration(engine: engine),
        ]
    }
}
