import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// Workflows in the engine: creation, validation, blocking, readiness, cancel, reopen, update, status and
/// persistence. The fixture's clock starts at 2024-01-15T10:00:00Z.
@Suite(.closesTestStores)
struct WorkflowTests {
    static let admin = Caller(user: "user123")

    /// The spec's Customer Onboarding workflow.
    static let onboarding = NewWorkflow(
        name: "Customer Onboarding",
        steps: [
            NewWorkflowStep(name: "Account Setup", assignee: "user456", durationHours: 2),
            NewWorkflowStep(name: "Training", assignee: "user789", durationHours: 4, dependsOn: ["Account Setup"]),
        ])

    static func create(_ input: NewWorkflow, on engine: Engine) async throws -> JSONValue {
        try await engine.createWorkflow(input, by: admin).value
    }

    static func workflowID(_ detail: JSONValue) throws -> WorkflowID {
        try #require(detail["workflow_id"]?.stringValue.flatMap(WorkflowID.init))
    }

    static func taskID(_ detail: JSONValue, step: String) throws -> TaskID {
        let steps = try #require(detail["steps"]?.arrayValue)
        let found = try #require(steps.first { $0["name"]?.stringValue == step })
        return try #require(found["task_id"]?.stringValue.flatMap(TaskID.init))
    }

    static func steps(
        _ names: String..., dependencies: [String: [String]] = [:], hours: [String: Double] = [:]
    )
        -> NewWorkflow
    {
        NewWorkflow(
            name: "Flow",
            steps: names.map { NewWorkflowStep(name: $0, durationHours: hours[$0], dependsOn: dependencies[$0] ?? []) })
    }

    @Test func customerOnboardingRunsAsTheSpecShows() async throws {
        let fixture = try Fixture()
        let engine = fixture.engine
        let created = try await Self.create(Self.onboarding, on: engine)
        let id = try Self.workflowID(created)
        #expect(id.description.hasPrefix("wf_"))
        // One record holds both tasks and the workflow.
        #expect(fixture.store.recordsSinceSnapshot == 1)
        #expect(await engine.lastSeq == 3)
        let setup = try Self.taskID(created, step: "Account Setup")
        let training = try Self.taskID(created, step: "Training")
        let trainingTask = try await engine.task(training)
        #expect(trainingTask.workflowID == id && trainingTask.step == "Training")
        #expect(trainingTask.blockedBy == ["Account Setup"])
        #expect(trainingTask.assignee == UserID("user789"))
        #expect(try await engine.history(training).events.map(\.type) == [.taskCreated])

        // Training waits for Account Setup.
        let blocked = await engineError { try await fixture.setStatus(training, .inProgress) }
        #expect(blocked?.name == "invalid_transition")
        #expect(blocked?.details["blocked_by"] == ["Account Setup"])
        #expect(blocked?.message == "Task \(training) cannot move to in_progress while it waits for step Account Setup")

        try await fixture.setStatus(setup, .inProgress)
        fixture.clock.set(Timestamp(rfc3339: "2024-01-15T12:00:00Z") ?? .minimum)
        let before = await engine.lastSeq
        _ = try await engine.complete(setup, Completion(), by: Self.admin)
        // The completion, Training's unblocking and its readiness are one record.
        #expect(await engine.lastSeq == before + 3)
        let events = try await engine.events(after: before, limit: 10)
        #expect(events.map(\.type) == [.taskCompleted, .taskUpdated, .workflowStepReady])
        #expect(events[2].detail?["name"] == "Training")
        #expect(try await engine.task(training).blockedBy == [])

        fixture.clock.set(Timestamp(rfc3339: "2024-01-16T08:00:00Z") ?? .minimum)
        let status = try await engine.workflowStatus(id)
        let expected: JSONValue = [
            "workflow_id": .string(id.description),
            "name": "Customer Onboarding",
            "status": "in_progress",
            "progress": 50,
            "completed_steps": 1,
            "total_steps": 2,
            "current_step": "Training",
            "current_steps": ["Training"],
            "blocked_steps": [],
            "estimated_completion": "2024-01-16T12:00:00Z",
        ]
        #expect(status == expected)

        try await fixture.setStatus(training, .inProgress)
        _ = try await engine.complete(training, Completion(), by: Self.admin)
        let done = try await engine.workflowDetail(id)
        #expect(done["status"] == "completed" && done["progress"] == 100)
        #expect(try await engine.events(after: 0, limit: 100).last?.type == .workflowCompleted)
    }

    @Test(arguments: [
        (["A": ["B"], "B": ["A"]], ["A", "B", "A"]),
        (["A": ["A"]], ["A", "A"]),
        (["B": ["C"], "C": ["D"], "D": ["B"]], ["B", "C", "D", "B"]),
    ])
    func cyclesAreRefusedNamingTheCycle(dependencies: [String: [String]], cycle: [String]) async throws {
        let fixture = try Fixture()
        let error = await engineError {
            _ = try await Self.create(Self.steps("A", "B", "C", "D", dependencies: dependencies), on: fixture.engine)
        }
        #expect(error?.name == "invalid_workflow")
        #expect(error?.details["cycle"] == .array(cycle.map(JSONValue.string)))
        #expect(error?.message.contains(cycle.joined(separator: " → ")) == true)
        #expect(fixture.store.recordsSinceSnapshot == 0)
    }

    @Test func unknownDependenciesDuplicateNamesAndLimitsAreRefused() async throws {
        let engine = try Fixture().engine
        let unknown = await engineError {
            _ = try await Self.create(Self.steps("A", dependencies: ["A": ["Z"]]), on: engine)
        }
        #expect(unknown?.name == "invalid_workflow" && unknown?.details["depends_on"] == "Z")
        let duplicate = await engineError { _ = try await Self.create(Self.steps("A", "A"), on: engine) }
        #expect(duplicate?.name == "invalid_workflow" && duplicate?.details["step"] == "A")
        let none = await engineError { _ = try await Self.create(NewWorkflow(name: "Empty", steps: []), on: engine) }
        #expect(none?.name == "invalid_workflow")
        let many = NewWorkflow(name: "Many", steps: (0...1000).map { NewWorkflowStep(name: "S\($0)") })
        let tooMany = await engineError { _ = try await Self.create(many, on: engine) }
        #expect(tooMany?.details["field"] == "steps")
        let blankName = await engineError {
            _ = try await Self.create(NewWorkflow(name: " ", steps: [.init(name: "A")]), on: engine)
        }
        #expect(blankName?.details["field"] == "name")
        #expect(await engine.workflowCount == 0)
    }

    @Test func completingIsRefusedWhileBlocked() async throws {
        let fixture = try Fixture()
        let created = try await Self.create(Self.steps("A", "B", dependencies: ["B": ["A"]]), on: fixture.engine)
        let b = try Self.taskID(created, step: "B")
        let error = await engineError { _ = try await fixture.engine.complete(b, Completion(), by: Self.admin) }
        // A pending task cannot complete anyway; the plain transition error comes first.
        #expect(error?.name == "invalid_transition")
        let update = await engineError { try await fixture.setStatus(b, .inProgress) }
        #expect(update?.details["blocked_by"] == ["A"])
    }

    @Test func cancellingCancelsOpenTasksInOneRecord() async throws {
        let fixture = try Fixture()
        let created = try await Self.create(Self.steps("A", "B", "C", dependencies: ["B": ["A"]]), on: fixture.engine)
        let id = try Self.workflowID(created)
        let a = try Self.taskID(created, step: "A")
        try await fixture.setStatus(a, .inProgress)
        _ = try await fixture.engine.complete(a, Completion(), by: Self.admin)
        let records = fixture.store.recordsSinceSnapshot
        let cancelled = try await fixture.engine.cancelWorkflow(id, by: Self.admin).value
        #expect(fixture.store.recordsSinceSnapshot == records + 1)
        #expect(cancelled["status"] == "cancelled")
        let states = cancelled["steps"]?.arrayValue?.map { $0["status"] }
        #expect(states == ["completed", "cancelled", "cancelled"])
        #expect(try await fixture.engine.events(after: 0, limit: 100).last?.type == .workflowCancelled)
        let again = await engineError { _ = try await fixture.engine.cancelWorkflow(id, by: Self.admin) }
        #expect(again?.name == "invalid_transition")
        // Once cancelled, its tasks may be deleted.
        _ = try await fixture.engine.delete(a, by: Self.admin)
        let member = Caller(user: "user456", role: .member)
        let denied = await engineError { _ = try await fixture.engine.cancelWorkflow(id, by: member) }
        #expect(denied?.name == "permission_denied")
    }

    @Test func aCancelledStepBlocksTheWorkflowUntilReopened() async throws {
        let fixture = try Fixture()
        let created = try await Self.create(Self.steps("A", "B", dependencies: ["B": ["A"]]), on: fixture.engine)
        let id = try Self.workflowID(created)
        let a = try Self.taskID(created, step: "A")
        try await fixture.setStatus(a, .cancelled)
        let status = try await fixture.engine.workflowStatus(id)
        #expect(status["status"] == "blocked" && status["blocked_steps"] == ["A"])
        #expect(status["current_step"] == .null)
        try await fixture.setStatus(a, .pending)
        #expect(try await fixture.engine.workflowStatus(id)["status"] == "pending")
        // Deleting a step's task of a running workflow is refused.
        let error = await engineError { _ = try await fixture.engine.delete(a, by: Self.admin) }
        #expect(error?.name == "invalid_transition" && error?.details["workflow_id"] == .string(id.description))
    }

    @Test func reopeningACompletedStepBlocksPendingDependentsAgain() async throws {
        let fixture = try Fixture()
        let created = try await Self.create(
            Self.steps("A", "B", "C", dependencies: ["B": ["A"], "C": ["A"]]), on: fixture.engine)
        let id = try Self.workflowID(created)
        let (a, b, c) = (
            try Self.taskID(created, step: "A"), try Self.taskID(created, step: "B"),
            try Self.taskID(created, step: "C")
        )
        try await fixture.setStatus(a, .inProgress)
        try await fixture.setStatus(a, .completed)
        #expect(try await fixture.engine.task(b).blockedBy == [])
        try await fixture.setStatus(b, .inProgress)
        try await fixture.setStatus(a, .inProgress)
        // B already started and keeps going; C had not and waits again.
        #expect(try await fixture.engine.task(b).blockedBy == [])
        #expect(try await fixture.engine.task(c).blockedBy == ["A"])
        #expect(try await fixture.engine.workflowStatus(id)["current_steps"] == ["A", "B"])
    }

    @Test func aCompletedWorkflowReopensWhenAStepDoes() async throws {
        let fixture = try Fixture()
        let created = try await Self.create(Self.steps("A"), on: fixture.engine)
        let id = try Self.workflowID(created)
        let a = try Self.taskID(created, step: "A")
        try await fixture.setStatus(a, .inProgress)
        try await fixture.setStatus(a, .completed)
        #expect(try await fixture.engine.workflowDetail(id)["completed_at"] != .null)
        try await fixture.setStatus(a, .inProgress)
        let detail = try await fixture.engine.workflowDetail(id)
        #expect(detail["status"] == "in_progress" && detail["completed_at"] == .null)
    }

    @Test func updateAddsStepsAndChangesDependenciesWithTheCycleCheck() async throws {
        let fixture = try Fixture()
        let created = try await Self.create(Self.steps("A", "B"), on: fixture.engine)
        let id = try Self.workflowID(created)
        let b = try Self.taskID(created, step: "B")
        let cycle = await engineError {
            _ = try await fixture.engine.updateWorkflow(
                id, WorkflowPatch(addSteps: [.init(name: "C", dependsOn: ["B"])], dependsOn: [("B", ["C"])]),
                by: Self.admin)
        }
        #expect(cycle?.details["cycle"] == ["B", "C", "B"])
        let records = fixture.store.recordsSinceSnapshot
        let updated = try await fixture.engine.updateWorkflow(
            id,
            WorkflowPatch(name: "Renamed", addSteps: [.init(name: "C", dependsOn: ["A"])], dependsOn: [("B", ["A"])]),
            by: Self.admin
        ).value
        #expect(fixture.store.recordsSinceSnapshot == records + 1)
        #expect(updated["name"] == "Renamed" && updated["total_steps"] == 3)
        #expect(try await fixture.engine.task(b).blockedBy == ["A"])
        // Dropping the dependency makes B ready again, in the same record.
        let before = await fixture.engine.lastSeq
        _ = try await fixture.engine.updateWorkflow(id, WorkflowPatch(dependsOn: [("B", [])]), by: Self.admin)
        #expect(try await fixture.engine.task(b).blockedBy == [])
        let events = try await fixture.engine.events(after: before, limit: 10).map(\.type)
        #expect(events == [.taskUpdated, .workflowUpdated, .workflowStepReady])
    }

    @Test func theCriticalPathOfADiamond() async throws {
        let fixture = try Fixture()
        let created = try await Self.create(
            Self.steps(
                "A", "B", "C", "D", dependencies: ["B": ["A"], "C": ["A"], "D": ["B", "C"]],
                hours: ["A": 2, "B": 3, "C": 5, "D": 1]),
            on: fixture.engine)
        let id = try Self.workflowID(created)
        // A, then the longer of B and C, then D: 2 + 5 + 1 hours.
        #expect(try await fixture.engine.workflowStatus(id)["estimated_completion"] == "2024-01-15T18:00:00Z")
        let a = try Self.taskID(created, step: "A")
        try await fixture.setStatus(a, .inProgress)
        try await fixture.setStatus(a, .completed)
        let status = try await fixture.engine.workflowStatus(id)
        #expect(status["estimated_completion"] == "2024-01-15T16:00:00Z")
        #expect(status["current_steps"] == ["B", "C"] && status["current_step"] == "B")
    }

    @Test func workflowsSurviveReplaySnapshotsAndExport() async throws {
        let fixture = try Fixture()
        let created = try await Self.create(Self.onboarding, on: fixture.engine)
        let setup = try Self.taskID(created, step: "Account Setup")
        try await fixture.setStatus(setup, .inProgress)
        try await fixture.setStatus(setup, .completed)
        _ = try await Self.create(Self.steps("X", "Y", dependencies: ["Y": ["X"]]), on: fixture.engine)
        let original = await fixture.engine.exportDocument()
        #expect(original["workflows"]?.arrayValue?.count == 2)
        let replayed = try fixture.reopen()
        #expect(await replayed.exportDocument() == original)
        let state = await fixture.engine.state
        let fromSnapshot = try EngineState(snapshot: state.snapshotBytes())
        #expect(fromSnapshot.exportDocument() == original)
        let imported = try EngineState(document: original)
        #expect(imported.exportDocument() == original)
        // A document whose workflows disagree with its events is refused.
        guard case .object(var document) = original else { return }
        document["workflows"] = []
        #expect(throws: EngineError.self) { try EngineState(document: .object(document)) }
    }

    @Test func membersReadWorkflowsButCannotCreateThem() async throws {
        let fixture = try Fixture()
        let member = Caller(user: "user456", role: .member)
        let denied = await engineError { _ = try await fixture.engine.createWorkflow(Self.onboarding, by: member) }
        #expect(denied?.name == "permission_denied")
        let agent = Caller(user: "bot", role: .agent)
        let created = try await fixture.engine.createWorkflow(Self.onboarding, by: agent).value
        let id = try Self.workflowID(created)
        #expect(try await fixture.engine.workflowStatus(id, for: member)["total_steps"] == 2)
        // The member assigned to a step works on its task like on any task.
        let setup = try Self.taskID(created, step: "Account Setup")
        _ = try await fixture.engine.update(
            setup,
            {
                var p = TaskPatch(); p.status = "in_progress"; return p
            }(), by: member)
        let list = try await fixture.engine.listWorkflows(statuses: ["in_progress"], page: 1, limit: 20, for: member)
        #expect(list["total"] == 1)
    }

    @Test func listPagesAndFiltersByStatus() async throws {
        let fixture = try Fixture()
        var ids: [String] = []
        for index in 0..<5 {
            let created = try await Self.create(Self.steps("S\(index)"), on: fixture.engine)
            ids.append(try #require(created["workflow_id"]?.stringValue))
        }
        _ = try await fixture.engine.cancelWorkflow(try #require(WorkflowID(ids[1])), by: Self.admin)
        let second = try await fixture.engine.listWorkflows(statuses: [], page: 2, limit: 2)
        #expect(second["total"] == 5)
        #expect(second["workflows"]?.arrayValue?.map { $0["workflow_id"] } == [.string(ids[2]), .string(ids[3])])
        let pending = try await fixture.engine.listWorkflows(statuses: ["pending"], page: 1, limit: 20)
        #expect(pending["total"] == 4)
        let bad = await engineError {
            _ = try await fixture.engine.listWorkflows(statuses: ["done"], page: 1, limit: 20)
        }
        #expect(bad?.details["field"] == "status")
    }

    @Test func workflowEventsNameTheirWorkflowAndReadBack() async throws {
        let fixture = try Fixture()
        let created = try await Self.create(Self.onboarding, on: fixture.engine)
        let id = try Self.workflowID(created)
        let event = try #require(try await fixture.engine.events(after: 0, limit: 10).last)
        #expect(event.type == .workflowCreated && event.subject == .workflow(id) && event.taskID == nil)
        #expect(event.json["workflow_id"] == .string(id.description) && event.json["version"] == nil)
        #expect(try Event(bytes: event.bytes) == event)
        #expect(event.changes["steps"]?["new"]?.arrayValue?.count == 2)
    }
}
