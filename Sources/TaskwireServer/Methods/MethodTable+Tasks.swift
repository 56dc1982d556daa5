package import TaskEngine

extension MethodTable {
    /// Registers the `tasks.*` methods (create, get, update, list, complete, delete, history) on `engine`.
    package mutating func registerTasks(engine: Engine) {
        register(CreateTask.name) { try await CreateTask.handle($0, $1, engine: engine) }
        register(GetTask.name) { try await GetTask.handle($0, $1, engine: engine) }
        register(UpdateTask.name) { try await UpdateTask.handle($0, $1, engine: engine) }
        register(ListTasks.name) { try await ListTasks.handle($0, $1, engine: engine) }
        register(CompleteTask.name) { try await CompleteTask.handle($0, $1, engine: engine) }
        register(DeleteTask.name) { try await DeleteTask.handle($0, $1, engine: engine) }
        register(TaskHistoryMethod.name) { try await TaskHistoryMethod.handle($0, $1, engine: engine) }
    }
}
