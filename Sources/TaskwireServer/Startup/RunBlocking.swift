import Foundation

/// Runs a blocking call (fsync, close of a store, reading a file) on a fresh thread and waits for it
/// without holding a thread of the concurrency pool, which has only one per core.
func runBlocking<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.start()
    }
}
