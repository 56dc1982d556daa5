package import TaskEngine

/// Comments (`tasks.comments.*`), attachments (`tasks.attachments.*`) and watchers (`tasks.watch`,
/// `tasks.unwatch`).
package enum CollaborationMethods {
    /// Every comment, attachment and watcher method, on `engine`.
    package static func declarations(engine: Engine) -> [MethodDeclaration] {
        [
            AddComment.declaration(engine: engine),
            ListComments.declaration(engine: engine),
            UploadAttachment.declaration(engine: engine),
            ListAttachments.declaration(engine: engine),
            GetAttachment.declaration(engine: engine),
            DeleteAttachment.declaration(engine: engine),
            WatchTask.watchDeclaration(engine: engine),
            WatchTask.unwatchDeclaration(engine: engine),
        ]
    }
}
