/// The load shapes the driver can apply.
public enum Scenario: Sendable, Equatable {
    /// `users` distinct buyers each try to buy once, at times spread uniformly
    /// over `windowSeconds` (the flash moment). A `retryShare` of them send
    /// the same request again (same Idempotency-Key) after the first answer;
    /// a `greedyShare` then try again with a new key (more than the limit).
    case burst(users: Int, windowSeconds: Double, retryShare: Double, greedyShare: Double)
    /// Open loop: `rate` purchases per second (each from a new buyer) for
    /// `durationSeconds`; latency is measured from each request's scheduled
    /// time, so a stall is not hidden (coordinated omission).
    case steady(rate: Double, durationSeconds: Double)
    /// `users` buyers arrive over `windowSeconds`, and each one who gets an
    /// order pays it (`payShare`), cancels it (`cancelShare`) or lets it expire (the rest).
    case lifecycle(users: Int, windowSeconds: Double, payShare: Double, cancelShare: Double)
    /// Closed loop against a fixed URL path (`GET`), like `wrk`: every
    /// connection sends its next request as soon as the answer arrives.
    case httpBench(path: String, durationSeconds: Double)

    /// A short name for reports.
    public var name: String {
        switch self {
        case .burst: return "burst"
        case .steady: return "steady"
        case .lifecycle: return "lifecycle"
        case .httpBench: return "http-bench"
        }
    }

    /// Distinct buyers the scenario needs tokens for.
    public var userCount: Int {
        switch self {
        case .burst(let users, _, _, _), .lifecycle(let users, _, _, _): return users
        case .steady(let rate, let duration): return max(1, Int((rate * duration).rounded(.up)))
        case .httpBench: return 0
        }
    }

    /// How long the arrivals last.
    public var arrivalSeconds: Double {
        switch self {
        case .burst(_, let window, _, _), .lifecycle(_, let window, _, _): return window
        case .steady(_, let duration), .httpBench(_, let duration): return duration
        }
    }
}

/// What a buyer does next, decided per user from a seeded hash (so a run is repeatable).
enum UserTraits {
    /// A number in [0, 1) derived from the user index and a salt.
    static func fraction(_ user: Int, salt: UInt64) -> Double {
        var x = UInt64(truncatingIfNeeded: user) &+ salt &* 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        return Double(x >> 11) / Double(1 << 53)
    }

    static func retries(_ user: Int, share: Double) -> Bool { fraction(user, salt: 1) < share }
    static func greedy(_ user: Int, share: Double) -> Bool { fraction(user, salt: 2) < share }
    /// Arrival offset in [0, window) for burst and lifecycle.
    static func arrival(_ user: Int, windowNanos: UInt64) -> UInt64 {
        UInt64(fraction(user, salt: 3) * Double(windowNanos))
    }
    /// pay / cancel / expire for lifecycle.
    static func followUp(_ user: Int, payShare: Double, cancelShare: Double) -> RequestKind? {
        let f = fraction(user, salt: 4)
        if f < payShare { return .pay }
        if f < payShare + cancelShare { return .cancel }
        return nil
    }
}

/// One request to send.
struct Job {
    /// Why this request is sent.
    enum Step: UInt8 {
        /// The buyer's first try.
        case first
        /// The same request again (same Idempotency-Key).
        case retry
        /// Another purchase with a new key (beyond the limit).
        case greedy
        /// Pay or cancel of the buyer's order.
        case followUp
        /// A closed-loop GET.
        case bench
    }

    /// When it is due, nanoseconds after the run's start.
    var intendedNanos: UInt64
    /// The buyer (index into the user table).
    var user: Int32
    /// Idempotency-Key ordinal for purchases.
    var keyOrdinal: Int32
    var kind: RequestKind
    var step: Step
}

/// The first request of every buyer, sorted by due time.
enum ArrivalSchedule {
    static func make(_ scenario: Scenario) -> [Job] {
        switch scenario {
        case .burst(let users, let window, _, _), .lifecycle(let users, let window, _, _):
            let windowNanos = UInt64(max(window, 0) * 1e9)
            var jobs = (0..<users).map { user in
                Job(intendedNanos: UserTraits.arrival(user, windowNanos: windowNanos), user: Int32(user),
                    keyOrdinal: 0, kind: .purchase, step: .first)
            }
            jobs.sort { $0.intendedNanos < $1.intendedNanos }
            return jobs
        case .steady(let rate, _):
            let count = scenario.userCount
            let interval = 1e9 / max(rate, 1e-9)
            return (0..<count).map { user in
                Job(intendedNanos: UInt64(Double(user) * interval), user: Int32(user), keyOrdinal: 0,
                    kind: .purchase, step: .first)
            }
        case .httpBench:
            return []
        }
    }
}
