import Locking
import TaskStore
import TestSupport

/// Thrown by ``withTimeout(_:_:)`` when the operation did not finish in time.
struct TimedOut: Error {}

/// Runs `body`, failing with ``TimedOut`` if it has not finished after `seconds` (a hang becomes a failure).
func withTimeout<T: Sendable>(
    _ seconds: Double = 20, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let once = Once<T>()
    return try await withCheckedThrowingContinuation { continuation in
        once.continuation.withLock { $0 = continuation }
        Task {
            do { once.finish(.success(try await body())) } catch { once.finish(.failure(error)) }
        }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            once.finish(.failure(TimedOut()))
        }
    }
}

/// A payload that says which record it is, of varying length.
func record(_ number: Int) -> [UInt8] {
    Array("{\"record\":\(number),\"pad\":\"\(String(repeating: "x", count: number % 23))\"}".utf8)
}

/// Options for tests: a small reserve so tests exercise extension, and the given file system.
func testOptions(
    _ fileSystem: any FileSystem = SystemFileSystem(), durability: FileStore.Durability = .always
) -> FileStore.Options {
    var options = FileStore.Options()
    options.fileSystem = fileSystem
    options.durability = durability
    options.preallocationChunk = 4096
    options.onWarning = { _ in }
    return options
}

/// Opens the store and returns what it recovered.
func openAndRecover(
    _ directory: TemporaryDirectory, _ options: FileStore.Options? = nil
) throws -> (FileStore, RecoveredState) {
    let store = try FileStore.open(directory: directory.path, options: options ?? testOptions())
    return (store, try store.recover())
}

/// Resumes a continuation once, from whichever of two racing tasks finishes first.
private final class Once<T: Sendable>: Sendable {
    let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func finish(_ result: Result<T, any Error>) {
        let pending = continuation.withLock { value in
            defer { value = nil }
            return value
        }
        pending?.resume(with: result)
    }
}
