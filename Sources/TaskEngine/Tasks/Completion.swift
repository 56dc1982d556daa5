/// The params of `tasks.complete`.
package struct Completion: Sendable, Equatable {
    package var resolution: String?
    /// Minutes to add to the task's `time_spent_minutes`.
    package var timeSpentMinutes: Int?
    package var outcomes: [String]?

    package init(resolution: String? = nil, timeSpentMinutes: Int? = nil, outcomes: [String]? = nil) {
        self.resolution = resolution
        self.timeSpentMinutes = timeSpentMinutes
        self.outcomes = outcomes
    }
}
