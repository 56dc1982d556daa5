import PostgresStore
import TaskEngine
import Testing

@testable import TaskwireServer

@Suite struct RateLimiterTests {
    @Test func admitsUpToTheLimitThenRefusesWithRetryAfter() {
        let limiter = RateLimiter(limits: ["create": .init(count: 3, window: 3600)])
        for second in 0..<3 {
            #expect(limiter.admit(user: "u1", operation: "create", now: Double(second)) == .admitted)
        }
        #expect(limiter.admit(user: "u1", operation: "create", now: 10) == .refused(retryAfterSeconds: 3590))
    }

    @Test func theWindowSlides() {
        let limiter = RateLimiter(limits: ["list": .init(count: 2, window: 60)])
        #expect(limiter.admit(user: "u", operation: "list", now: 0) == .admitted)
        #expect(limiter.admit(user: "u", operation: "list", now: 30) == .admitted)
        #expect(limiter.admit(user: "u", operation: "list", now: 59) == .refused(retryAfterSeconds: 1))
        #expect(limiter.admit(user: "u", operation: "list", now: 60.5) == .admitted)
        #expect(limiter.admit(user: "u", operation: "list", now: 61) == .refused(retryAfterSeconds: 29))
        #expect(limiter.admit(user: "u", operation: "list", now: 90.5) == .admitted)
    }

    @Test func callsOtherServersReportCountWithThisServersOwn() {
        let limiter = RateLimiter(limits: ["list": .init(count: 3, window: 60)])
        #expect(limiter.admit(user: "u", operation: "list", now: 10) == .admitted)
        limiter.receiveSharedCalls(
            [
                SharedCallCount(user: "u", operation: "list", calls: 2, oldest: 5),
                SharedCallCount(user: "v", operation: "list", calls: 9, oldest: 5),
                SharedCallCount(user: "u", operation: "unlimited", calls: 9, oldest: 5),
            ], now: 11)
        // One here and two elsewhere fill u's three; the oldest, elsewhere at 5 s, leaves the window at 65 s.
        #expect(limiter.admit(user: "u", operation: "list", now: 12) == .refused(retryAfterSeconds: 53))
        // Another user's calls elsewhere are theirs alone.
        #expect(limiter.admit(user: "w", operation: "list", now: 12) == .admitted)
        // What this server reports: its own admitted calls still in their windows, never the others'.
        #expect(
            Set(limiter.shareCalls(now: 12)) == [
                SharedCallCount(user: "u", operation: "list", calls: 1, oldest: 10),
                SharedCallCount(user: "w", operation: "list", calls: 1, oldest: 12),
            ])
        #expect(limiter.shareCalls(now: 71).map(\.user) == ["w"])
        // A newer report replaces the older one.
        limiter.receiveSharedCalls([], now: 13)
        #expect(limiter.admit(user: "u", operation: "list", now: 14) == .admitted)
    }

    @Test func aReportNotRenewedForTenSecondsNoLongerCounts() {
        let limiter = RateLimiter(limits: ["list": .init(count: 1, window: 3600)])
        limiter.receiveSharedCalls([SharedCallCount(user: "u", operation: "list", calls: 1, oldest: 100)], now: 100)
        #expect(limiter.admit(user: "u", operation: "list", now: 110) == .refused(retryAfterSeconds: 3590))
        // Cut off from the database, the server counts its own calls alone.
        #expect(limiter.admit(user: "u", operation: "list", now: 110.5) == .admitted)
    }

    @Test func refusedCallsDoNotCount() {
        let limiter = RateLimiter(limits: ["comment": .init(count: 1, window: 10)])
        #expect(limiter.admit(user: "u", operation: "comment", now: 0) == .admitted)
        for second in 1..<10 {
            #expect(limiter.admit(user: "u", operation: "comment", now: Double(second)) != .admitted)
        }
        #expect(limiter.admit(user: "u", operation: "comment", now: 10.001) == .admitted)
    }

    @Test func usersAndOperationsAreCountedApart() {
        let limiter = RateLimiter(limits: [
            "create": .init(count: 1, window: 60), "update": .init(count: 1, window: 60),
        ])
        #expect(limiter.admit(user: "a", operation: "create", now: 0) == .admitted)
        #expect(limiter.admit(user: "b", operation: "create", now: 0) == .admitted)
        #expect(limiter.admit(user: "a", operation: "update", now: 0) == .admitted)
        #expect(limiter.admit(user: "a", operation: "create", now: 1) != .admitted)
        #expect(limiter.admit(user: "a", operation: "get", now: 1) == .admitted)
    }

    @Test(arguments: [
        ("100/hour", RateLimiter.Limit(count: 100, window: 3600)),
        ("60/minute", RateLimiter.Limit(count: 60, window: 60)),
        ("5/30s", RateLimiter.Limit(count: 5, window: 30)),
        ("7/day", RateLimiter.Limit(count: 7, window: 86_400)),
    ])
    func parsesLimits(text: String, limit: RateLimiter.Limit) {
        #expect(RateLimiter.Limit(parsing: text) == limit)
        #expect(RateLimiter.Limit(parsing: limit.description) == limit)
    }

    @Test(arguments: ["", "100", "x/hour", "0/hour", "-1/hour", "5/fortnight", "5/0s", "5/-3s", "1/1e300s", "1/infs"])
    func rejectsMalformedLimits(text: String) {
        #expect(RateLimiter.Limit(parsing: text) == nil)
    }
}
