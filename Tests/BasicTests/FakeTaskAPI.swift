import JSON
import Locking

@testable import Basic

/// A task API in memory that records every call, for the evaluator's tests: tasks with a status, comments,
/// and the server's refusal of completing a pending task or of an unknown id.
final class FakeTaskAPI: Sendable {
    private let state = Mutex<(calls: [String], tasks: [String: JSONObject], next: Int)>(([], [:], 1))

    /// Every call as `method params`, in order.
    var calls: [String] { state.withLock { $0.calls } }

    /// A task's fields.
    func task(_ id: String) -> JSONObject? { state.withLock { $0.tasks[id] } }

    /// The function to give the interpreter.
    var call: Interpreter.Call { { try self.handle($0, $1) } }

    private func handle(_ method: String, _ params: JSONValue) throws -> JSONValue {
        try state.withLock { state in
            state.calls.append("\(method) \(params)")
            let id = params["task_id"]?.stringValue ?? ""
            switch method {
            case "tasks.create":
                let newID = "tsk_\(state.next)"
                state.next += 1
                var task: JSONObject = ["task_id": .string(newID), "status": "pending"]
                for (key, value) in params.objectValue?.members ?? [] { task[key] = value }
                state.tasks[newID] = task
                return .object(task)
            case "tasks.comments.add":
                guard state.tasks[id] != nil else { throw Self.notFound(id) }
                return ["comment_id": "cmt_1"]
            default:
                guard var task = state.tasks[id] else { throw Self.notFound(id) }
                switch method {
                case "tasks.get": return .object(task)
                case "tasks.update":
                    for (key, value) in params.objectValue?.members ?? [] where key != "task_id" { task[key] = value }
                case "tasks.complete":
                    guard task["status"] == "in_progress" else {
                        throw CallError(
                            code: 409, message: "Task \(id) is \(task["status"]?.stringValue ?? "")",
                            data: ["error": "invalid_transition"])
                    }
                    task["status"] = "completed"
                default: throw CallError(code: -32601, message: "Method \(method) not found.")
                }
                state.tasks[id] = task
                return .object(task)
            }
        }
    }

    static func notFound(_ id: String) -> CallError {
        CallError(code: 404, message: "Task \(id) not found", data: ["error": "task_not_found"])
    }
}
