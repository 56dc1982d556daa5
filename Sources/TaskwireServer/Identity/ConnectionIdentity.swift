import Locking
package import TaskEngine

/// Who one connection is logged in as, and how many logins it failed: the per-connection half of identity.
///
/// A stdio connection starts bound to the `--stdio-user`; a socket connection starts unbound. `auth.login`
/// rebinds it; a token that stops working unbinds it back to where it started. Failed logins are throttled
/// here, per connection: the first ``freeFailures`` are answered 401, after which each further failure
/// locks logins for a period that doubles (1 s, 2 s, 4 s, ... up to ``maxLockoutSeconds``), and attempts
/// while locked get 429. A successful login resets the count.
///
/// An attempt counts as failed from the moment it starts (``beginLoginAttempt(now:)``), checked and counted
/// in one step under the lock, and stops counting only when it succeeds. Logins of one batch run
/// concurrently, so counting a failure only once the token was checked would let every attempt started
/// before the first answer through the throttle.
package final class ConnectionIdentity: Sendable {
    /// A proven identity.
    package struct Binding: Sendable, Equatable {
        package var user: UserID
        /// The token used to log in; checked on every call, so a revocation takes effect at once.
        package var tokenID: TokenID?
        /// `stdio` or `token`.
        package var via: String

        package init(user: UserID, tokenID: TokenID? = nil, via: String) {
            self.user = user
            self.tokenID = tokenID
            self.via = via
        }
    }

    /// Failed logins answered with a plain 401 before the lockout starts.
    package static let freeFailures = 5
    /// The longest lockout after repeated failures.
    package static let maxLockoutSeconds = 300.0

    private struct State {
        var binding: Binding?
        var failures = 0
        var lockedUntil = -Double.infinity
    }

    private let initial: Binding?
    private let state: Mutex<State>

    /// A connection starting bound to `initial` (the stdio user), or unauthenticated when `nil`.
    package init(_ initial: Binding?) {
        self.initial = initial
        state = Mutex(State(binding: initial))
    }

    /// The current identity, or `nil` before a socket connection logs in.
    package var binding: Binding? { state.withLock { $0.binding } }

    /// Binds the connection after a successful login and forgets earlier failures.
    package func bind(_ binding: Binding) {
        state.withLock { state in
            state.binding = binding
            state.failures = 0
            state.lockedUntil = -.infinity
        }
    }

    /// Returns the connection to how it started, when the token it logged in with stops working.
    package func reset(from binding: Binding) {
        state.withLock { state in
            if state.binding == binding { state.binding = initial }
        }
    }

    /// Whether a login attempt may check its token.
    package enum LoginAttempt: Sendable, Equatable {
        /// It may; it already counts as a failure, until ``ConnectionIdentity/bind(_:)`` forgets it.
        case admitted
        /// Logins are locked; one is accepted again this many seconds from now (at least 1).
        case locked(retryAfterSeconds: Int)
    }

    /// Starts a login attempt at `now`: refuses it while logins are locked, and otherwise counts it as a
    /// failure at once, starting or extending the lockout once the free failures are used.
    package func beginLoginAttempt(now: Double) -> LoginAttempt {
        state.withLock { state in
            guard state.lockedUntil <= now else {
                return .locked(retryAfterSeconds: max(1, Int((state.lockedUntil - now).rounded(.up))))
            }
            state.failures += 1
            let excess = state.failures - Self.freeFailures
            if excess >= 0 {
                state.lockedUntil = now + min(Self.maxLockoutSeconds, Double(1 << min(excess, 20)))
            }
            return .admitted
        }
    }
}
