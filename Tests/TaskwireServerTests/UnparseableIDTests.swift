import JSON
import JSONRPC
import TaskEngine
import TaskStore
import Testing

@testable import TaskwireServer

/// Ids are parsed where params enter; text that is no id answers exactly as an unknown id always has.
struct UnparseableIDTests {
    let table: MethodTable
    let context = RequestContext(connectionID: 1, user: "system")

    init() throws {
        let engine = try Engine.open(store: MemoryStore(), clock: ManualTimeSource("2024-01-15T10:00:00Z"))
        table = try MethodTable(
            TaskMethods.declarations(engine: engine) + CollaborationMethods.declarations(engine: engine)
                + IdentityMethods.declarations(engine: engine))
    }

    func error(_ method: String, _ params: JSONValue) async -> ResponseError? {
        if case .failure(let error) = await table.call(method, params, context: context) { return error }
        return nil
    }

    @Test(arguments: [
        ("tasks.get", "task_id", "tsk_nope", "task_not_found"), ("tasks.history", "task_id", "x", "task_not_found"),
        ("tasks.delete", "task_id", "", "task_not_found"),
        ("tasks.attachments.get", "attachment_id", "att_nope", "attachment_not_found"),
        ("tasks.attachments.delete", "attachment_id", "tsk_0000000000000", "attachment_not_found"),
        ("auth.tokens.revoke", "token_id", "tok_nope", "token_not_found"),
    ])
    func textThatIsNoIdIsNotFoundCarryingTheText(method: String, key: String, text: String, name: String) async {
        let failure = await error(method, .object([key: .string(text)]))
        #expect(failure?.code == 404)
        #expect(failure?.name == name)
        #expect(failure?.data?[key] == .string(text))
    }

    @Test func paramErrorsStillComeFirst() async {
        let unknown = await error("tasks.get", ["task_id": "tsk_nope", "bogus": 1])
        #expect(unknown?.code == -32602)
        let typed = await error("tasks.update", ["task_id": "tsk_nope", "if_version": "one"])
        #expect(typed?.code == -32602)
        let missing = await error("tasks.update", ["task_id": "tsk_nope", "title": "x"])
        #expect(missing?.code == 404)
        #expect(missing?.message == "Task tsk_nope not found")
    }
}
