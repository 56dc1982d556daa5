extension Engine {
    /// Visits above this many tasks run off the actor, on the search thread.
    static let analyticsVisitsOnActor = 50_000

    /// The figures of `tasks.analytics` over the live tasks a query selects (see docs/analytics.md).
    ///
    /// Anyone who may list tasks may call it, and it sees the tasks `tasks.list` sees. Without a time window
    /// and with at most one filter it reads one running tally; a time window alone reads the tallies of the
    /// blocks it covers and visits only its edges; other combinations visit the tasks of the most selective
    /// index in the window. A visit of more than ``analyticsVisitsOnActor`` tasks runs on a copy of the task
    /// ledger on the search thread (``SearchWorker``), as text searches do, so the engine goes on serving
    /// everyone else meanwhile.
    package func analytics(
        _ query: AnalyticsQuery, for caller: Caller = .system
    ) async throws(EngineError)
        -> AnalyticsReport
    {
        try authorize(.read, caller)
        let resolved = try ResolvedAnalyticsQuery(query)
        let directory = self.directory
        guard state.tasks.analyticsVisits(resolved) > Self.analyticsVisitsOnActor else {
            return AnalyticsReport(state.tasks.analyticsFigures(resolved, now: clock.now()), directory: directory)
        }
        await searches.admit()
        // Taken after the wait, with no suspension before the visit is queued: the state as admitted.
        let tasks = state.tasks
        let now = clock.now()
        return await searches.run { AnalyticsReport(tasks.analyticsFigures(resolved, now: now), directory: directory) }
    }
}
