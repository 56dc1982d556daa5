import Dispatch
import Locking

/// Frames (or any byte messages) received by a test, handed to one waiting reader at a time, with a timeout
/// on every wait.
package final class FrameInbox: Sendable {
    private struct State {
        var frames: [[UInt8]] = []
        var ended = false
        var waiter: (id: UInt64, continuation: CheckedContinuation<[UInt8]?, any Error>)?
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// An empty inbox.
    package init() {}

    /// Adds a frame, handing it straight to a waiting reader if there is one.
    package func push(_ frame: [UInt8]) {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.frames.append(frame)
            return nil
        }
        waiter?.resume(returning: frame)
    }

    /// Marks the end of the stream.
    package func end() {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            state.ended = true
            defer { state.waiter = nil }
            return state.waiter?.continuation
        }
        waiter?.resume(returning: nil)
    }

    /// The next frame, or nil once the stream ended and every frame was taken.
    package func next(timeout: Duration, what: String) async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { continuation in
            let id = state.withLock { state -> UInt64? in
                if !state.frames.isEmpty {
                    continuation.resume(returning: state.frames.removeFirst())
                    return nil
                }
                if state.ended {
                    continuation.resume(returning: nil)
                    return nil
                }
                // One reader at a time: a second would take the first one's place and leave it waiting forever.
                if state.waiter != nil {
                    let message = "two readers wait on one connection at once; read its frames in turn"
                    continuation.resume(throwing: TestSupportError(message))
                    return nil
                }
                state.nextWaiter += 1
                state.waiter = (state.nextWaiter, continuation)
                return state.nextWaiter
            }
            guard let id else { return }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.seconds) { [self] in
                let expired = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
                    guard let waiter = state.waiter, waiter.id == id else { return nil }
                    state.waiter = nil
                    return waiter.continuation
                }
                expired?.resume(throwing: TestTimeout(what))
            }
        }
    }
}
