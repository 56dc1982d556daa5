package import JSON

/// One page of `tasks.comments.list`: a task's comments, oldest first.
package struct CommentPage: Sendable {
    package var taskID: TaskID
    package var comments: [TaskComment]
    /// How many comments the task has in all pages.
    package var total: Int
    package var page: Int
    package var limit: Int

    /// `{task_id, comments: [{comment_id, text, author: {user_id, name}, created_at, …}], total, page, limit}`.
    package func json(directory: any UserDirectory) -> JSONValue {
        [
            "task_id": .string(taskID.description),
            "comments": .array(comments.map { $0.listJSON(directory: directory) }),
            "total": .int(total),
            "page": .int(page),
            "limit": .int(limit),
        ]
    }
}
