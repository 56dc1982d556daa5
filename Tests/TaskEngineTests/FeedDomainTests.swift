import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// The event feed over the second half's domains: workflows, templates and automations appear in it like
/// tasks do, in commit order, with the subject and actor a bot filters on.
@Suite(.closesTestStores)
struct FeedDomainTests {
    func feed(_ fixture: Fixture, types: Set<FeedEventType>? = nil) async throws -> [FeedEvent] {
        try await fixture.durable()
        return try await fixture.engine.feedEvents(after: .start, limit: 1_000, types: types, retention: 1_000_000)
            .events
    }

    @Test func aWorkflowsStepsReadyAndCompletionAreFeedEventsOfTheirWorkflow() async throws {
        let fixture = try Fixture()
        let detail = try await WorkflowTests.create(WorkflowTests.onboarding, on: fixture.engine)
        let workflow = try WorkflowTests.workflowID(detail)
        let setup = try WorkflowTests.taskID(detail, step: "Account Setup")
        let training = try WorkflowTests.taskID(detail, step: "Training")
        for task in [setup, training] {
            try await fixture.setStatus(task, .inProgress)
            try await fixture.setStatus(task, .completed)
        }
        let events = try await feed(fixture)
        let ofWorkflow = events.filter { $0.workflowID == workflow.description }
        // Every event of the workflow and of its steps' tasks carries its id, for the `workflow_id` filter.
        #expect(ofWorkflow.count == events.count)
        let workflowTypes = events.filter { $0.source.subject == .workflow(workflow) }.map(\.type)
        #expect(workflowTypes == [.workflowCreated, .workflowStepReady, .workflowCompleted])
        let ready = try #require(events.first { $0.type == .workflowStepReady })
        #expect(ready.json["subject"] == ["type": "workflow", "id": .string(workflow.description)])
        #expect(ready.json["step"]?["name"] == "Training")
        // The step became ready in the record that completed its dependency: the completion, the dependent's
        // `blocked_by` emptied, then the readiness, at consecutive seqs.
        let completed = try #require(events.first { $0.type == .taskCompleted && $0.taskID == setup })
        #expect(ready.cursor.seq == completed.cursor.seq + 2)
        #expect(events.contains { $0.cursor.seq == completed.cursor.seq + 1 && $0.taskID == training })
        // The workflow events show the workflow as that commit left it.
        let created = try #require(events.first { $0.type == .workflowCreated })
        #expect(created.json["object"]?["name"] == "Customer Onboarding")
        #expect(created.json["object"]?["completed_at"] == .null)
        let done = try #require(events.first { $0.type == .workflowCompleted })
        #expect(done.json["object"]?["completed_at"] == .string(done.source.at.rfc3339))
        #expect(done.json["object"]?["updated_at"] == .string(done.source.at.rfc3339))
        let filtered = try await feed(fixture, types: [.workflowStepReady])
        #expect(filtered.map(\.type) == [.workflowStepReady])
    }

    @Test func anAutomationsTaskIsTaskCreatedAndAutomationFiredByTheAutomation() async throws {
        let tests = AutomationTests()
        let (fixture, automation) = try await tests.world()
        _ = try await tests.publish(fixture, eventID: "evt_feed")
        let events = try await feed(fixture)
        let templateTypes = events.filter { if case .template = $0.source.subject { true } else { false } }
        #expect(templateTypes.map(\.type) == [.templateCreated])
        #expect(templateTypes.first?.json["object"]?["template_id"] == "tpl_urgent")
        #expect(events.contains { $0.type == .automationCreated })
        let fired = try #require(events.first { $0.type == .automationFired })
        let created = try #require(events.first { $0.type == .taskCreated })
        #expect(fired.cursor.seq == created.cursor.seq && fired.cursor.index == created.cursor.index + 1)
        #expect(fired.json["actor"]?["type"] == "automation")
        #expect(fired.json["actor"]?["automation_id"] == .string(automation.id.description))
        #expect(created.json["object"]?["priority"] == "critical")
    }

    @Test func everyFeedTypeIsKnownToTheTypesFilter() {
        // Identity and notification events are internal: they never reach the feed.
        let journalTypes = EventType.allCases.filter { ![.identity, .tasks, .notifications].contains($0.domain) }
        for type in journalTypes {
            #expect(FeedEventType.all.contains(FeedEventType(rawValue: type.rawValue)), "\(type.rawValue)")
        }
        #expect(FeedEventType.all.contains(.automationFired))
    }
}
