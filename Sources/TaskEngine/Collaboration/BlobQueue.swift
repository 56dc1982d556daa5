import Foundation
import Locking

/// Runs the store's blocking blob calls, and the CPU work around them (base64, hashing), one at a time and
/// in the order they were submitted, on a dedicated thread: never on the Swift concurrency pool (one thread
/// per core) and never inside the engine's actor.
///
/// The order is what makes reclaiming blobs safe. The engine decides that a blob is unreferenced and
/// submits its deletion while it holds its actor, and an upload of the same bytes submits its write the
/// same way; whichever was decided first also runs first, so a write is never undone by an older delete.
///
/// The thread starts with the first job and ends when the queue runs dry, so idle engines hold no thread.
final class BlobQueue: Sendable {
    private struct State {
        // A taken job is set to nil at once: it may hold the bytes of a large upload.
        var jobs: [(@Sendable () -> Void)?] = []
        var next = 0
        var running = false
    }

    private let state = Mutex(State())

    /// Submits `body` and waits for its result. The job is queued before the caller suspends, so jobs
    /// submitted from the engine's actor run in the order the actor submitted them.
    func run<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            submit { continuation.resume(returning: body()) }
        }
    }

    /// Queues `body` without waiting for it.
    func submit(_ body: @escaping @Sendable () -> Void) {
        let start = state.withLock { state -> Bool in
            state.jobs.append(body)
            guard !state.running else { return false }
            state.running = true
            return true
        }
        guard start else { return }
        let thread = Thread { [self] in
            while let job = nextJob() { job() }
        }
        thread.name = "taskwire-blobs"
        thread.start()
    }

    private func nextJob() -> (@Sendable () -> Void)? {
        state.withLock { state in
            guard state.next < state.jobs.count else {
                state.jobs.removeAll(keepingCapacity: true)
                state.next = 0
                state.running = false
                return nil
            }
            let job = state.jobs[state.next]
            state.jobs[state.next] = nil
            state.next += 1
            return job
        }
    }
}
