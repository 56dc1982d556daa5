// The lock every target uses for small shared state.
//
// A normal build uses the toolchain's `Synchronization.Mutex`. ThreadSanitizer cannot see the lock inside
// that type on Linux (it waits on a futex the sanitizer does not model), so every access it guards is
// reported as a race. A build with `-Xswiftc -DTASKWIRE_TSAN_LOCKS` swaps in a `Mutex` with the same
// interface on `pthread_mutex_t`, which the sanitizer understands; CONTRIBUTING.md shows the command.

#if TASKWIRE_TSAN_LOCKS
    import Glibc
    @_exported public import struct Synchronization.Atomic
    @_exported public import struct Synchronization.AtomicLoadOrdering
    @_exported public import struct Synchronization.AtomicStoreOrdering
    @_exported public import struct Synchronization.AtomicUpdateOrdering

    /// A value guarded by a `pthread_mutex_t`, with the interface of `Synchronization.Mutex`.
    public final class Mutex<Value: ~Copyable>: @unchecked Sendable {
        // `value` is read and written only between `pthread_mutex_lock(lock)` and its unlock.
        private let lock: UnsafeMutablePointer<pthread_mutex_t>
        private var value: Value

        public init(_ initialValue: consuming sending Value) {
            lock = .allocate(capacity: 1)
            pthread_mutex_init(lock, nil)
            value = initialValue
        }

        deinit {
            pthread_mutex_destroy(lock)
            lock.deallocate()
        }

        /// Runs `body` with the value while holding the lock.
        public func withLock<Result: ~Copyable, E: Error>(
            _ body: (inout sending Value) throws(E) -> sending Result
        ) throws(E) -> sending Result {
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            return try body(&value)
        }
    }
#else
    @_exported public import Synchronization
#endif
