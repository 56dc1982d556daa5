/// Someone waiting for the record numbered `record` to become durable: a suspended
/// ``CommitTicket/wait()``, or a callback that a store's writer thread runs right after the write that
/// covers it. Shared by the stores that complete tickets from a thread of their own.
package struct DurabilityWaiter {
    /// The record that must be durable (for a flush, the writer cycle it must wait past).
    package var record: UInt64
    private var completion: Completion

    package init(record: UInt64, continuation: CheckedContinuation<Result<Void, StoreError>, Never>) {
        self.record = record
        self.completion = .resume(continuation)
    }

    package init(record: UInt64, callback: @escaping @Sendable (Result<Void, StoreError>) -> Void) {
        self.record = record
        self.completion = .call(callback)
    }

    /// How the waiter learns the outcome: a suspended task, or a callback run on the writer thread.
    private enum Completion {
        case resume(CheckedContinuation<Result<Void, StoreError>, Never>)
        case call(@Sendable (Result<Void, StoreError>) -> Void)
    }

    /// Reports the outcome; call it exactly once, outside any lock.
    package func complete(_ result: Result<Void, StoreError>) {
        switch completion {
        case .resume(let continuation): continuation.resume(returning: result)
        case .call(let callback): callback(result)
        }
    }
}
