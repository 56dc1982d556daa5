import JSON

extension Engine {
    /// Adds a comment to a live task. `mentions` are user ids; `attachments` must be attachments of the same
    /// task. A comment raises the task's `comments_count` but not its `version` or `updated_at`.
    package func addComment(_ input: NewComment, by caller: Caller) throws(EngineError) -> Committed<TaskComment> {
        let (_, task) = try state.tasks.liveTask(input.taskID)
        try authorize(.comment, caller, task: task)
        let text = try CollaborationValidator.commentText(input.text)
        let mentions = try CollaborationValidator.mentions(input.mentions)
        var attachmentIDs: [AttachmentID] = []
        for text in try CollaborationValidator.attachmentIDs(input.attachments) {
            guard let id = AttachmentID(text), let attachment = state.collaboration.attachment(id),
                attachment.taskID == task.id
            else { throw .attachmentNotFound(text) }
            attachmentIDs.append(id)
        }
        let at = state.eventTime(now: clock.now())
        var ids = state.collaboration.commentIDs
        let comment = TaskComment(
            rawID: ids.next(at: at), taskID: task.id, text: text, author: caller.user,
            mentions: mentions,
            attachments: attachmentIDs, createdAt: at)
        let event = Event(
            seq: state.lastSeq + 1, type: .commentAdded, at: at, actor: caller.user, agent: caller.agent,
            subject: .task(task.id), version: task.version,
            changes: ["comments_count": ["old": .int(task.commentsCount), "new": .int(task.commentsCount + 1)]],
            detail: comment.json
        )
        let (_, ticket) = try commit(event)
        return Committed(comment, ticket: ticket)
    }

    /// A page of a live task's comments, oldest first (`page` from 1, `limit` 1-200).
    package func comments(
        _ taskID: TaskID, page: Int = 1, limit: Int = 20, for caller: Caller = .system
    ) throws(EngineError) -> CommentPage {
        let (slot, task) = try state.tasks.liveTask(taskID)
        try authorize(.read, caller, task: task)
        try CollaborationValidator.paging(page: page, limit: limit)
        let all = state.collaboration.comments(of: task)
        return CommentPage(
            taskID: task.id, comments: Array(all.page(page, limit: limit)), total: all.count, page: page, limit: limit)
    }
}
