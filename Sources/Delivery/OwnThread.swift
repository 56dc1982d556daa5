import Foundation

/// Runs a blocking call (waiting for a child process, `fsync`, a rename) on a fresh thread and waits for
/// it without holding a thread of the concurrency pool, which has only about one per core.
func onOwnThread<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.start()
    }
}
