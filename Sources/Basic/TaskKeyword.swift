package import JSON

/// The spec's task keywords and their siblings, each a JSON-RPC call of the task API.
///
/// They behave exactly as the Python and Node clients' helpers of the same names (`create_task`,
/// `set_task_priority`, ...): the same method, the same params, the same part of the result.
package enum TaskKeyword: String, Sendable, CaseIterable {
    /// `id = CREATE TASK title [, assignee]`: `tasks.create {title, assignee}`, yields `task_id`.
    case createTask = "CREATE TASK"
    /// `SET TASK PRIORITY id, priority`: `tasks.update {task_id, priority}`.
    case setTaskPriority = "SET TASK PRIORITY"
    /// `SET TASK DUE DATE id, when`: `tasks.update {task_id, due_date}`; epoch seconds, RFC 3339, or NULL.
    case setTaskDueDate = "SET TASK DUE DATE"
    /// `SET TASK ASSIGNEE id, user`: `tasks.update {task_id, assignee}`; NULL unassigns.
    case setTaskAssignee = "SET TASK ASSIGNEE"
    /// `SET TASK PROGRESS id, percent`: `tasks.update {task_id, progress}`.
    case setTaskProgress = "SET TASK PROGRESS"
    /// `SET TASK STATUS id, status`: `tasks.update {task_id, status}`.
    case setTaskStatus = "SET TASK STATUS"
    /// `status = GET TASK STATUS id`: `tasks.get {task_id}`, yields `status`.
    case getTaskStatus = "GET TASK STATUS"
    /// `comment_id = ADD TASK COMMENT id, text`: `tasks.comments.add {task_id, text}`, yields `comment_id`.
    case addTaskComment = "ADD TASK COMMENT"
    /// `COMPLETE TASK id [, resolution]`: `tasks.complete {task_id, resolution}`; a task still `pending` is
    /// first moved to `in_progress`, as the client helpers do.
    case completeTask = "COMPLETE TASK"

    /// The words after the verb, in upper case (`["TASK", "DUE", "DATE"]`).
    package var words: [String] { rawValue.split(separator: " ").dropFirst().map(String.init) }

    /// The reserved verb the keyword starts with.
    package var verb: Keyword {
        switch self {
        case .createTask: .create
        case .setTaskPriority, .setTaskDueDate, .setTaskAssignee, .setTaskProgress, .setTaskStatus: .set
        case .getTaskStatus: .get
        case .addTaskComment: .add
        case .completeTask: .complete
        }
    }

    /// The names of the arguments, for error messages; the optional ones are the last `optionalCount`.
    package var argumentNames: [String] {
        switch self {
        case .createTask: ["title", "assignee"]
        case .setTaskPriority: ["task id", "priority"]
        case .setTaskDueDate: ["task id", "due date"]
        case .setTaskAssignee: ["task id", "assignee"]
        case .setTaskProgress: ["task id", "progress"]
        case .setTaskStatus: ["task id", "status"]
        case .getTaskStatus: ["task id"]
        case .addTaskComment: ["task id", "text"]
        case .completeTask: ["task id", "resolution"]
        }
    }

    /// How many trailing arguments may be left out.
    package var optionalCount: Int {
        switch self {
        case .createTask, .completeTask: 1
        default: 0
        }
    }

    /// Whether the keyword yields a value, so it may stand on the right of `=`.
    package var yieldsValue: Bool {
        switch self {
        case .createTask, .getTaskStatus, .addTaskComment: true
        default: false
        }
    }

    /// The keywords that start with `verb`.
    package static func starting(with verb: Keyword) -> [TaskKeyword] { allCases.filter { $0.verb == verb } }

    /// The first JSON-RPC method the keyword calls.
    package var method: String {
        switch self {
        case .createTask: "tasks.create"
        case .setTaskPriority, .setTaskDueDate, .setTaskAssignee, .setTaskProgress, .setTaskStatus: "tasks.update"
        case .getTaskStatus: "tasks.get"
        case .addTaskComment: "tasks.comments.add"
        case .completeTask: "tasks.complete"
        }
    }

    /// The params of the call for these argument values (as many as were written).
    package func params(_ arguments: [Value]) -> JSONValue {
        func argument(_ index: Int) -> JSONValue { index < arguments.count ? arguments[index].json : .null }
        var params = JSONObject()
        switch self {
        case .createTask:
            params.append("title", argument(0))
            if !argument(1).isNull { params.append("assignee", argument(1)) }
        case .completeTask:
            params.append("task_id", argument(0))
            if !argument(1).isNull { params.append("resolution", argument(1)) }
        case .getTaskStatus:
            params.append("task_id", argument(0))
        case .addTaskComment:
            params.append("task_id", argument(0))
            params.append("text", argument(1))
        case .setTaskPriority, .setTaskDueDate, .setTaskAssignee, .setTaskProgress, .setTaskStatus:
            params.append("task_id", argument(0))
            params.append(updatedField, argument(1))
        }
        return .object(params)
    }

    /// The `tasks.update` field a `SET TASK` keyword changes.
    private var updatedField: String {
        switch self {
        case .setTaskPriority: "priority"
        case .setTaskDueDate: "due_date"
        case .setTaskAssignee: "assignee"
        case .setTaskProgress: "progress"
        default: "status"
        }
    }

    /// The member of the result the keyword yields, for those that yield one.
    package var resultField: String? {
        switch self {
        case .createTask: "task_id"
        case .getTaskStatus: "status"
        case .addTaskComment: "comment_id"
        default: nil
        }
    }
}
