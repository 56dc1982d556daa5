package import TaskEngine

extension MethodTable {
    /// Registers comments (`tasks.comments.*`), attachments (`tasks.attachments.*`) and watchers
    /// (`tasks.watch`, `tasks.unwatch`) on `engine`.
    package mutating func registerCollaboration(engine: Engine) {
        register(AddComment.name) { try await AddComment.handle($0, $1, engine: engine) }
        register(ListComments.name) { try await ListComments.handle($0, $1, engine: engine) }
        register(UploadAttachment.name) { try await UploadAttachment.handle($0, $1, engine: engine) }
        register(ListAttachments.name) { try await ListAttachments.handle($0, $1, engine: engine) }
        register(GetAttachment.name) { try await GetAttachment.handle($0, $1, engine: engine) }
        register(DeleteAttachment.name) { try await DeleteAttachment.handle($0, $1, engine: engine) }
        register(WatchTask.watchName) { try await WatchTask.handle($0, $1, engine: engine, watching: true) }
        register(WatchTask.unwatchName) { try await WatchTask.handle($0, $1, engine: engine, watching: false) }
    }
}
