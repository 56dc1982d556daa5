/// What paces the progress heartbeats of a long tool call: one tick, one `notifications/progress`.
///
/// A heartbeat tells the host the call is still running, so a host that resets its timeout on progress does
/// not give up on a long method. The server ticks every few seconds; tests tick by hand.
struct ProgressTicker: Sendable {
    /// A new stream of ticks for one call; the call stops listening when its method returns.
    let ticks: @Sendable () -> AsyncStream<Void>

    /// The server's ticker: a tick every `interval`.
    static func every(_ interval: Duration) -> ProgressTicker {
        ProgressTicker {
            AsyncStream { continuation in
                let timer = Task {
                    while !Task.isCancelled {
                        do { try await Task.sleep(for: interval) } catch { break }
                        continuation.yield()
                    }
                    continuation.finish()
                }
                continuation.onTermination = { _ in timer.cancel() }
            }
        }
    }
}
