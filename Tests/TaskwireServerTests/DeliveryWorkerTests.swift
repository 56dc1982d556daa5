import Delivery
import Locking
import StoreTestSupport
import TaskEngine
import TaskStore
import TestSupport
import Testing

@testable import TaskwireServer

/// The delivery worker's retry wake-ups: one per earliest due retry, asked again when one comes early, none
/// after the worker stopped.
@Suite(.closesTestStores)
struct DeliveryWorkerTests {
    let clock = ManualTimeSource("2024-01-15T10:00:00Z")
    let engine: Engine

    init() async throws {
        engine = try Engine.open(store: try TestStore.make(), clock: clock)
        _ = try await engine.upsertUser(
            UserInput(userID: "bob", name: "Bob", email: "bob@example.com", role: "member"), by: .system)
        var settings = NotificationSettings()
        settings.channels = ["email"]
        _ = try await engine.configureNotifications(settings, for: .user("bob"), by: .system)
    }

    /// Assigns `count` tasks to bob and waits until they are durable: the worker takes only the deliveries
    /// of durable commits.
    func assignToBob(_ count: Int) async throws {
        for number in 1...count {
            var input = NewTask(title: "Task \(number)")
            input.assignee = "bob"
            try await engine.create(input, by: .system).ticket.wait()
        }
    }

    /// A channel that answers from a script (the last answer repeats) and counts its attempts.
    final class ScriptedChannel: DeliveryChannel {
        let name = "email"
        private let script: Mutex<[DeliveryOutcome]>
        let attempts = Mutex(0)

        init(_ script: [DeliveryOutcome]) { self.script = Mutex(script) }

        func deliver(_ notification: OutgoingNotification) async -> DeliveryOutcome {
            attempts.withLock { $0 += 1 }
            return script.withLock { script in script.count > 1 ? script.removeFirst() : script[0] }
        }
    }

    /// Wake-ups that only record what was asked for; the test runs ``DeliveryWorker/woken()`` itself.
    final class HeldWakeups: DeliveryWakeups {
        let held = Mutex<[Double]>([])

        func wake(after seconds: Double, _ action: @escaping @Sendable () -> Void) {
            held.withLock { $0.append(seconds) }
        }

        var delays: [Double] { held.withLock { $0 } }
    }

    @Test func manyFailuresInOnePassAskForOneWakeUp() async throws {
        try await assignToBob(3)
        let channel = ScriptedChannel([.retry(reason: "relay down")])
        let wakeups = HeldWakeups()
        let schedule = RetrySchedule(firstDelaySeconds: 10, maximumDelaySeconds: 60, maximumAttempts: 5)
        let worker = DeliveryWorker(
            engine: engine, channels: [channel], schedule: schedule, clock: clock, wakeups: wakeups)
        await worker.pass()
        #expect(channel.attempts.withLock { $0 } == 3 && wakeups.delays == [10])
        // A pass before the retry is due neither attempts nor asks again.
        await worker.pass()
        #expect(channel.attempts.withLock { $0 } == 3 && wakeups.delays == [10])
    }

    @Test func aWakeUpThatComesEarlyAsksAgainForTheRest() async throws {
        try await assignToBob(1)
        let channel = ScriptedChannel([.retry(reason: "busy"), .delivered])
        let wakeups = HeldWakeups()
        let schedule = RetrySchedule(firstDelaySeconds: 10, maximumDelaySeconds: 60, maximumAttempts: 5)
        let worker = DeliveryWorker(
            engine: engine, channels: [channel], schedule: schedule, clock: clock, wakeups: wakeups)
        await worker.pass()
        #expect(wakeups.delays == [10])
        // The wall clock says only 4 s went by when the timer fires: nothing is due, 6 s are asked for.
        clock.advance(seconds: 4)
        await worker.woken()
        #expect(wakeups.delays == [10, 6])
        #expect(channel.attempts.withLock { $0 } == 1)
        clock.advance(seconds: 6)
        await worker.pass()
        #expect(channel.attempts.withLock { $0 } == 2)
        #expect(await engine.pendingDeliveries.isEmpty)
    }

    @Test func aStoppedWorkerAttemptsNothingMore() async throws {
        try await assignToBob(1)
        let channel = ScriptedChannel([.retry(reason: "busy")])
        let wakeups = HeldWakeups()
        let worker = DeliveryWorker(engine: engine, channels: [channel], clock: clock, wakeups: wakeups)
        await worker.pass()
        await worker.stop()
        clock.advance(seconds: 3600)
        await worker.pass()
        #expect(channel.attempts.withLock { $0 } == 1 && wakeups.delays == [30])
        #expect(await engine.pendingDeliveries.count == 1)
    }
}

extension DeliveryWorkerTests {
    @Test func aNotificationIsSentOnlyOnceItsCommitIsDurable() async throws {
        let store = HeldStore()
        let engine = try Engine.open(store: store, clock: clock)
        _ = try await engine.upsertUser(
            UserInput(userID: "bob", name: "Bob", email: "bob@example.com", role: "member"), by: .system)
        var settings = NotificationSettings()
        settings.channels = ["email"]
        _ = try await engine.configureNotifications(settings, for: .user("bob"), by: .system)
        store.release(through: store.appended)
        var input = NewTask(title: "Not yet on disk")
        input.assignee = "bob"
        _ = try await engine.create(input, by: .system)
        let channel = ScriptedChannel([.delivered])
        let worker = DeliveryWorker(engine: engine, channels: [channel], clock: clock, wakeups: HeldWakeups())
        await worker.pass()
        let waiting = await engine.pendingDeliveries
        #expect(channel.attempts.withLock { $0 } == 0 && waiting.count == 1)
        store.release(through: store.appended)
        await worker.pass()
        #expect(channel.attempts.withLock { $0 } == 1)
    }
}

extension Engine {
    /// Returns once every commit so far is durable and handed to the feed's listeners, which is when the
    /// delivery worker takes its notifications (a file store makes commits durable on its writer thread).
    func waitUntilPublished() async {
        let target = lastSeq
        let resumed = Mutex(false)
        let token = Mutex<Int?>(nil)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let finish: @Sendable () -> Void = {
                let first = resumed.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume() }
            }
            let (listening, after) = feed.listen { commits in
                if let last = commits.last?.event.seq, last >= target { finish() }
            }
            token.withLock { $0 = listening }
            if after >= target || feed.publishedSeq >= target { finish() }
        }
        if let listening = token.withLock({ $0 }) { feed.stopListening(listening) }
    }
}
