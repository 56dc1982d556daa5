import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// The template reply shapes, compared with the files in `Golden/` (`TASKWIRE_RECORD_GOLDEN=1` rewrites them).
@Suite(.closesTestStores)
struct TemplateGoldenTests {
    @Test func templateReplyShapes() async throws {
        let fixture = try Fixture()
        let engine = fixture.engine
        let agent = Caller(user: "support_bot", role: .agent)
        var input = TemplateTests.customerComplaint()
        input.templateID = "tpl_123"
        let template = try await engine.createTemplate(input, by: agent).value
        try GoldenTests.check(template.json, "template_create")

        var call = TaskFromTemplate(templateID: template.id)
        call.variables = ["issue_id": "#1234"]
        call.assignee = "user456"
        call.dueDate = .text("2024-01-20T17:00:00Z")
        let created = try await engine.createTask(call, by: agent).value
        try GoldenTests.check(created.json(directory: engine.directory), "task_from_template")

        fixture.clock.advance(seconds: 60)
        var patch = TemplatePatch()
        patch.defaultPriority = .some("critical")
        let updated = try await engine.updateTemplate(template.id, patch, by: agent).value
        try GoldenTests.check(updated.json, "template_update")
        try GoldenTests.check(try await engine.templates().json, "templates_list")
        try GoldenTests.check(try await engine.deleteTemplate(template.id, by: agent).value.json, "template_delete")
        try GoldenTests.check(.array(try await engine.events(after: 0, limit: 10).map(\.json)), "template_events")
    }
}
