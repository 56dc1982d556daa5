import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// A workflow step that names a template gets its task from it: description, checklist, priority, tags and
/// assignee, with placeholders filled from the workflow's context, its name and the step's name.
@Suite(.closesTestStores)
struct WorkflowTemplateTests {
    static let admin = Caller(user: "user123")

    func engineWithTemplate() async throws -> Fixture {
        let fixture = try Fixture()
        var template = NewTemplate(name: "Onboarding step")
        template.templateID = "tpl_onboarding"
        template.descriptionTemplate = "{{step}} for {{customer}} ({{workflow}})"
        template.checklist = ["Greet {{customer}}", "Log it"]
        template.defaultPriority = "high"
        template.defaultTags = ["onboarding"]
        template.defaultAssignee = "user456"
        _ = try await fixture.engine.createTemplate(template, by: Self.admin)
        return fixture
    }

    @Test func aStepsTaskIsFilledFromItsTemplate() async throws {
        let fixture = try await engineWithTemplate()
        var setup = NewWorkflowStep(name: "Account Setup", durationHours: 2)
        setup.templateID = "tpl_onboarding"
        let training = NewWorkflowStep(name: "Training", assignee: "user789", dependsOn: ["Account Setup"])
        let input = NewWorkflow(
            name: "Customer Onboarding", steps: [setup, training], context: ["customer": "ACME"])
        let detail = try await WorkflowTests.create(input, on: fixture.engine)
        let setupTask = try await fixture.engine.task(WorkflowTests.taskID(detail, step: "Account Setup"))
        #expect(setupTask.description == "Account Setup for ACME (Customer Onboarding)")
        #expect(setupTask.checklist.map(\.text) == ["Greet ACME", "Log it"])
        #expect(setupTask.priority == .high && setupTask.tags == ["onboarding"])
        #expect(setupTask.assignee == "user456" && setupTask.templateID?.text == "tpl_onboarding")
        let trainingTask = try await fixture.engine.task(WorkflowTests.taskID(detail, step: "Training"))
        #expect(trainingTask.templateID == nil && trainingTask.checklist.isEmpty && trainingTask.priority == .medium)
    }

    @Test func aMissingTemplateOrVariableRefusesTheWholeWorkflow() async throws {
        let fixture = try await engineWithTemplate()
        var step = NewWorkflowStep(name: "Account Setup")
        step.templateID = "tpl_nope"
        let unknown = await engineError {
            _ = try await WorkflowTests.create(NewWorkflow(name: "W", steps: [step]), on: fixture.engine)
        }
        #expect(unknown?.name == "template_not_found")
        step.templateID = "tpl_onboarding"
        let missing = await engineError {
            _ = try await WorkflowTests.create(NewWorkflow(name: "W", steps: [step]), on: fixture.engine)
        }
        #expect(missing?.name == "missing_variable" && missing?.details["variable"] == "customer")
        #expect(try await fixture.engine.listWorkflows(statuses: [], page: 1, limit: 20)["total"] == 0)
        #expect(await fixture.engine.taskCount == 0)
    }
}
