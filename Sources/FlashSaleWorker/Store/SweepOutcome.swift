/// What one expiry sweep did.
public struct SweepOutcome: Sendable, Equatable {
    /// The reservations expired now (units back in the pool).
    public let expired: [ReleasedOrder]
    /// True when the sweep hit its limit: more reservations may be due, sweep again.
    public let more: Bool

    /// Creates an outcome.
    public init(expired: [ReleasedOrder], more: Bool) {
        self.expired = expired
        self.more = more
    }
}
