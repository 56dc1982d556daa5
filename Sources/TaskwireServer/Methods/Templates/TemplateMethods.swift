package import TaskEngine

/// The `templates.*` methods (create, get, list, update, delete) and `tasks.create_from_template`.
package enum TemplateMethods {
    /// Every template method, on `engine`.
    package static func declarations(engine: Engine) -> [MethodDeclaration] {
        [
            CreateTemplate.declaration(engine: engine),
            GetTemplate.declaration(engine: engine),
            ListTemplates.declaration(engine: engine),
            UpdateTemplate.declaration(engine: engine),
            DeleteTemplate.declaration(engine: engine),
            CreateTaskFromTemplate.declaration(engine: engine),
        ]
    }
}
