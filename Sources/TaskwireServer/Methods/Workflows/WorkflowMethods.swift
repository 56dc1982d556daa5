package import TaskEngine

/// The `workflows.*` methods (create, status, get, list, update, cancel).
package enum WorkflowMethods {
    /// Every `workflows.*` method, on `engine`.
    package static func declarations(engine: Engine) -> [MethodDeclaration] {
        [
            CreateWorkflow.declaration(engine: engine),
            WorkflowStatus.declaration(engine: engine),
            GetWorkflow.declaration(engine: engine),
            ListWorkflows.declaration(engine: engine),
            UpdateWorkflow.declaration(engine: engine),
            CancelWorkflow.declaration(engine: engine),
        ]
    }
}
