import Glibc

/// A dedicated POSIX thread for blocking work (the journal writer, a snapshot), off the concurrency pool.
package final class WorkerThread: Sendable {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    private let handle: pthread_t

    /// Starts `body` on a new thread; `name` only appears in errors.
    package init(name: String, _ body: @escaping @Sendable () -> Void) throws(StoreError) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(
            &handle, nil,
            { argument in
                guard let argument else { return nil }
                let body = Unmanaged<Body>.fromOpaque(argument).takeRetainedValue()
                body.run()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw SystemFileSystem.error("pthread_create", number: result, path: name)
        }
        self.handle = handle
    }

    /// Waits until the thread's body has returned. Call it exactly once.
    package func join() {
        pthread_join(handle, nil)
    }
}
