/// One endpoint's circuit breaker (`docs/integration.md`, "Retries"): closed until
/// `failureThreshold` attempts in a row fail; then open for `openMillis` (no attempts);
/// then half-open: one probe attempt, which closes it on success and opens it again on
/// failure. Attempts waiting behind an open breaker are not counted as attempts.
struct CircuitBreaker {
    enum State: Int { case closed = 0, open = 1, halfOpen = 2 }

    private let failureThreshold: Int
    private let openMillis: UInt64
    private(set) var state = State.closed
    private var consecutiveFailures = 0
    private var openedAt: UInt64 = 0
    private var probeInFlight = false
    /// Times the breaker opened.
    private(set) var opened = 0

    init(failureThreshold: Int, openMillis: UInt64) {
        self.failureThreshold = failureThreshold
        self.openMillis = openMillis
    }

    /// Whether an attempt may start at `now`; starting it is recorded (the half-open probe).
    mutating func admit(now: UInt64) -> Bool {
        switch state {
        case .closed:
            return true
        case .open:
            guard now >= openedAt + openMillis else { return false }
            state = .halfOpen
            probeInFlight = true
            return true
        case .halfOpen:
            guard !probeInFlight else { return false }
            probeInFlight = true
            return true
        }
    }

    /// When an open breaker lets its probe through (nil unless open).
    var reopensAt: UInt64? { state == .open ? openedAt + openMillis : nil }

    mutating func succeeded() {
        consecutiveFailures = 0
        probeInFlight = false
        state = .closed
    }

    mutating func failed(now: UInt64) {
        consecutiveFailures += 1
        let wasProbe = state == .halfOpen
        probeInFlight = false
        if wasProbe || (state == .closed && consecutiveFailures >= failureThreshold) {
            state = .open
            openedAt = now
            opened += 1
        }
    }
}

/// The retry schedule: retry n (1-based) waits `schedule[n-1]` scaled by a random
/// factor in [0.8, 1.2] (jitter); there are `schedule.count` retries.
struct RetrySchedule {
    let delaysMillis: [UInt64]

    /// Attempts in all (the first and every retry).
    var maxAttempts: Int { delaysMillis.count + 1 }

    /// The wait before the attempt after `attemptsMade` attempts, or nil when none is left.
    func delay<R: RandomNumberGenerator>(afterAttempts attemptsMade: Int, using random: inout R) -> UInt64? {
        guard attemptsMade >= 1, attemptsMade <= delaysMillis.count else { return nil }
        let base = Double(delaysMillis[attemptsMade - 1])
        return UInt64(base * Double.random(in: 0.8...1.2, using: &random))
    }
}
