/// How urgent a task is; sorting by priority orders them low < medium < high < critical.
package enum TaskPriority: String, Sendable, CaseIterable, Hashable {
    case low
    case medium
    case high
    case critical

    /// The rank used for sorting and for per-priority indexes (low = 0).
    var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        case .critical: 3
        }
    }
}
