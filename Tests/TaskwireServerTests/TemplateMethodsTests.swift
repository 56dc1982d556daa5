import JSON
import JSONRPC
import StoreTestSupport
import TaskEngine
import TaskStore
import Testing

@testable import TaskwireServer

/// The `templates.*` handlers, `tasks.create_from_template` and checklist ticks through `tasks.update`,
/// called through a `MethodTable` with JSON params as a client sends them.
@Suite(.closesTestStores)
struct TemplateMethodsTests {
    let clock = ManualTimeSource("2024-01-15T10:00:00Z")
    let table: MethodTable

    init() async throws {
        let engine = try Engine.open(store: try TestStore.make(), clock: clock)
        table = try MethodTable(TaskMethods.declarations(engine: engine) + TemplateMethods.declarations(engine: engine))
    }

    func call(
        _ method: String, _ params: JSONValue?, as user: UserID = "system", role: Role = .admin
    ) async
        -> Result<JSONValue, ResponseError>
    {
        await table.call(method, params, context: RequestContext(connectionID: 1, user: user, role: role))
    }

    func result(
        _ method: String, _ params: JSONValue?, as user: UserID = "system", role: Role = .admin
    )
        async throws -> JSONValue
    {
        try await call(method, params, as: user, role: role).get()
    }

    func error(
        _ method: String, _ params: JSONValue?, as user: UserID = "system", role: Role = .admin
    ) async
        -> ResponseError?
    {
        if case .failure(let error) = await call(method, params, as: user, role: role) { return error }
        return nil
    }

    /// The spec's "Create Template" body, verbatim.
    static let customerComplaint: JSONValue = [
        "name": "Customer Complaint",
        "description_template": "Investigate issue: {{issue_id}}",
        "default_priority": "high",
        "default_tags": ["support"],
        "checklist": [
            "Review conversation history",
            "Contact customer",
            "Provide resolution",
            "Follow up",
        ],
    ]

    @Test func registersEveryTemplateMethod() {
        #expect(
            table.methodNames.filter { $0.hasPrefix("templates.") || $0 == "tasks.create_from_template" } == [
                "tasks.create_from_template", "templates.create", "templates.delete", "templates.get",
                "templates.list", "templates.update",
            ])
    }

    @Test func theSpecsExampleEndToEnd() async throws {
        let template = try await result("templates.create", Self.customerComplaint, as: "bot1", role: .agent)
        let id = try #require(template["template_id"]?.stringValue)
        #expect(id.hasPrefix("tpl_"))
        #expect(template["name"] == "Customer Complaint")
        #expect(template["title_template"] == .null && template["default_assignee"] == .null)
        #expect(template["variables"] == ["issue_id"])
        #expect(template["created_by"] == "bot1" && template["created_at"] == "2024-01-15T10:00:00Z")
        #expect(try await result("templates.get", ["template_id": .string(id)]) == template)

        // The spec's "Create Task from Template" body, with its tpl_123 standing for this template.
        let task = try await result(
            "tasks.create_from_template",
            [
                "template_id": .string(id),
                "variables": ["issue_id": "#1234"],
                "assignee": "user456",
                "due_date": "2024-01-20T17:00:00Z",
            ], as: "user456", role: .member)
        #expect(task["title"] == "Customer Complaint")
        #expect(task["description"] == "Investigate issue: #1234")
        #expect(task["priority"] == "high" && task["tags"] == ["support"])
        #expect(task["assignee"]?["user_id"] == "user456")
        #expect(task["template_id"] == .string(id))
        #expect(task["checklist"]?.arrayValue?.count == 4)
        #expect(task["checklist"]?.arrayValue?.first == ["text": "Review conversation history", "done": false])
        #expect(task["replayed"] == false)
        let taskID = try #require(task["task_id"]?.stringValue)

        // Ticking an item, then reading it back everywhere.
        let ticked = try await result(
            "tasks.update", ["task_id": .string(taskID), "check": [["index": 1, "done": true]]], as: "user456",
            role: .member)
        #expect(ticked["updated_fields"] == ["checklist"])
        let detail = try await result("tasks.get", ["task_id": .string(taskID)])
        #expect(detail["checklist"]?.arrayValue?.map { $0["done"] } == [false, true, false, false])
        let listed = try await result("tasks.list", nil)
        #expect(listed["tasks"]?.arrayValue?.first?["template_id"] == .string(id))
        #expect(listed["tasks"]?.arrayValue?.first?["checklist"]?.arrayValue?.count == 4)

        // A plain task shows both members too.
        let plain = try await result("tasks.create", ["title": "Plain"])
        #expect(plain["checklist"] == [] && plain["template_id"] == .null)
    }

    @Test func aMissingVariableIsMinus32602NamingIt() async throws {
        let template = try await result("templates.create", Self.customerComplaint)
        let refused = try #require(
            await error("tasks.create_from_template", ["template_id": template["template_id"]!, "variables": [:]]))
        #expect(refused.code == -32602)
        #expect(refused.name == "missing_variable")
        #expect(refused.data?["variable"] == "issue_id")
        // Unused variables are fine; numbers are written as their JSON text.
        let task = try await result(
            "tasks.create_from_template",
            ["template_id": template["template_id"]!, "variables": ["issue_id": 1234, "extra": "x"]])
        #expect(task["description"] == "Investigate issue: 1234")
    }

    @Test func chosenIdsAndTheirErrors() async throws {
        let created = try await result("templates.create", ["name": "Urgent", "template_id": "tpl_urgent"])
        #expect(created["template_id"] == "tpl_urgent")
        let taken = try #require(await error("templates.create", ["name": "Again", "template_id": "tpl_urgent"]))
        #expect(taken.code == 409 && taken.name == "already_exists" && taken.data?["template_id"] == "tpl_urgent")
        let bad = try #require(await error("templates.create", ["name": "Bad", "template_id": "urgent"]))
        #expect(bad.code == -32602 && bad.data?["field"] == "template_id")
        for method in ["templates.get", "templates.delete"] {
            let missing = try #require(await error(method, ["template_id": "tpl_nope"]))
            #expect(missing.code == 404 && missing.name == "template_not_found")
            #expect(missing.message == "Template tpl_nope not found")
            let unparseable = try #require(await error(method, ["template_id": "nope"]))
            #expect(unparseable.code == 404 && unparseable.data?["template_id"] == "nope")
        }
        let fromMissing = try #require(
            await error("tasks.create_from_template", ["template_id": "tpl_nope", "variables": [:]]))
        #expect(fromMissing.code == 404)
    }

    @Test func paramsAreCheckedNamingTheField() async throws {
        let cases: [(String, JSONValue, String)] = [
            ("templates.create", ["name": "T", "prioity": "high"], "prioity"),
            ("templates.create", ["name": "T", "default_priority": "urgent"], "default_priority"),
            ("templates.create", ["name": "T", "checklist": [1]], "checklist"),
            ("templates.create", ["default_tags": []], "name"),
            ("templates.update", ["template_id": "tpl_urgent", "name": .null], "name"),
            ("tasks.create_from_template", ["template_id": "tpl_urgent", "variables": ["a": [1]]], "variables.a"),
            ("tasks.create_from_template", ["template_id": "tpl_urgent", "priority": "urgent"], "priority"),
            ("tasks.update", ["task_id": "tsk_0338CJ16G0000", "check": [["index": "0"]]], "check[0].index"),
            ("tasks.update", ["task_id": "tsk_0338CJ16G0000", "check": [["index": 0, "done": 1]]], "check[0].done"),
            ("tasks.update", ["task_id": "tsk_0338CJ16G0000", "checklist": [["txt": "a"]]], "checklist"),
        ]
        _ = try await result("templates.create", ["name": "Urgent", "template_id": "tpl_urgent"])
        for (method, params, field) in cases {
            let refused = await error(method, params)
            #expect(refused?.code == -32602, "\(method) \(params)")
            #expect(refused?.data?["field"] == JSONValue.string(field), "\(method) \(params)")
        }
    }

    @Test func updateIsPartialAndNullClears() async throws {
        var object = try #require(Self.customerComplaint.objectValue)
        object["title_template"] = "Complaint {{issue_id}}"
        object["default_assignee"] = "user789"
        let template = try await result("templates.create", .object(object))
        let id = template["template_id"]!
        clock.advance(seconds: 60)
        let updated = try await result(
            "templates.update",
            ["template_id": id, "default_assignee": .null, "title_template": .null, "checklist": ["One"]])
        #expect(updated["updated"] == true)
        #expect(updated["updated_fields"] == ["default_assignee", "title_template", "checklist"])
        #expect(updated["updated_at"] == "2024-01-15T10:01:00Z")
        #expect(updated["template"]?["default_assignee"] == .null)
        #expect(updated["template"]?["checklist"] == ["One"])
        #expect(updated["template"]?["name"] == "Customer Complaint")
        let again = try await result("templates.update", ["template_id": id, "checklist": ["One"]])
        #expect(again["updated"] == false && again["updated_fields"] == [])
        let cleared = try await result("templates.update", ["template_id": id, "default_tags": .null])
        #expect(cleared["template"]?["default_tags"] == [])
        let empty = try #require(await error("templates.update", ["template_id": id]))
        #expect(empty.code == -32602)
    }

    @Test func listDeleteAndPermissions() async throws {
        for index in 0..<3 { _ = try await result("templates.create", ["name": .string("T\(index)")]) }
        let page = try await result("templates.list", ["page": 2, "limit": 2], as: "ann", role: .member)
        #expect(page["total"] == 3 && page["page"] == 2 && page["limit"] == 2)
        let listed = try #require(page["templates"]?.arrayValue)
        #expect(listed.map { $0["name"] } == ["T2"])
        let id = try #require(listed.first?["template_id"])

        for (method, params) in [
            ("templates.create", ["name": "M"] as JSONValue), ("templates.update", ["template_id": id, "name": "M"]),
            ("templates.delete", ["template_id": id]),
        ] {
            let denied = await error(method, params, as: "ann", role: .member)
            #expect(denied?.code == 403 && denied?.name == "permission_denied", "\(method)")
        }
        let deleted = try await result("templates.delete", ["template_id": id], as: "bot1", role: .agent)
        #expect(deleted == ["template_id": id, "deleted": true])
        #expect(await error("templates.get", ["template_id": id])?.code == 404)
        #expect(try await result("templates.list", nil)["total"] == 2)
    }

    @Test func checklistReplacementThroughUpdate() async throws {
        let task = try await result("tasks.create", ["title": "Steps"])
        let id = task["task_id"]!
        let replaced = try await result(
            "tasks.update", ["task_id": id, "checklist": ["First", ["text": "Second", "done": true]]])
        #expect(replaced["updated_fields"] == ["checklist"])
        let detail = try await result("tasks.get", ["task_id": id])
        #expect(detail["checklist"] == [["text": "First", "done": false], ["text": "Second", "done": true]])
        let outOfRange = try #require(await error("tasks.update", ["task_id": id, "check": [["index": 2]]]))
        #expect(outOfRange.code == -32602 && outOfRange.data?["field"] == "check[0].index")
        // `done` defaults to true.
        _ = try await result("tasks.update", ["task_id": id, "check": [["index": 0]]])
        let ticked = try await result("tasks.get", ["task_id": id])
        #expect(ticked["checklist"]?.arrayValue?.map { $0["done"] } == [true, true])
        _ = try await result("tasks.update", ["task_id": id, "checklist": .null])
        #expect(try await result("tasks.get", ["task_id": id])["checklist"] == [])
    }

    @Test func templateErrorsMapToTheirWireCodes() {
        let cases: [(EngineError, Int, String)] = [
            (.templateNotFound("tpl_x"), 404, "template_not_found"),
            (.templateExists("tpl_x"), 409, "already_exists"),
            (.missingVariable("issue_id"), -32602, "missing_variable"),
        ]
        for (error, code, name) in cases {
            #expect(error.responseError.code == code)
            #expect(error.responseError.name == name)
        }
    }
}
