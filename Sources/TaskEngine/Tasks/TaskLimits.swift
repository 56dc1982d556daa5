/// The documented limits on task fields and list calls; exceeding one is a -32602 naming the field.
package enum TaskLimits {
    /// Characters (Unicode scalars) in a title.
    package static let titleLength = 500
    /// Characters in a description.
    package static let descriptionLength = 20_000
    /// Characters in a user id (assignee, caller).
    package static let userIDLength = 128
    /// Tags on one task.
    package static let tagCount = 20
    /// Characters in one tag.
    package static let tagLength = 64
    /// Keys in `context`.
    package static let contextKeys = 32
    /// Characters in a `context` key.
    package static let contextKeyLength = 64
    /// Characters in a `context` value.
    package static let contextValueLength = 1024
    /// Characters in a resolution.
    package static let resolutionLength = 5000
    /// Outcomes on one task.
    package static let outcomeCount = 20
    /// Characters in one outcome.
    package static let outcomeLength = 128
    /// The most minutes one call may add or set.
    package static let timeSpentMinutes = 1_000_000
    /// Characters in an idempotency key.
    package static let idempotencyKeyLength = 128
    /// The largest `limit` of `tasks.list`.
    package static let pageSize = 200
    /// The largest `page` of `tasks.list`.
    package static let pageNumber = 1_000_000
    /// Characters in a search `q`.
    package static let searchLength = 200
}
